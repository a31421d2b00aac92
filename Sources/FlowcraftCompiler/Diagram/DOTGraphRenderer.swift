import FlowcraftModel

/// Draws a blueprint as a Graphviz `digraph`. Every id and label is a quoted DOT string with `\`,
/// `"` and newlines escaped, so any text (brackets, quotes, unicode) is valid.
package enum DOTGraphRenderer {
    package static func render(_ blueprint: WorkflowBlueprint) -> String {
        var out = "digraph \(quoted(blueprint.id)) {\n"
        out += "    rankdir=TB;\n    node [shape=box, style=rounded];\n"
        for node in blueprint.nodes {
            var attributes = "label=\(quoted(GraphLabels.node(node)))"
            switch GraphLabels.shape(of: node) {
            case .box: break
            case .decision: attributes += ", shape=diamond"
            case .subroutine: attributes += ", peripheries=2"
            case .pause: attributes += ", shape=ellipse"
            }
            out += "    \(quoted(node.id)) [\(attributes)];\n"
        }
        for edge in blueprint.edges {
            out += "    \(quoted(edge.source)) -> \(quoted(edge.target))"
            if let label = GraphLabels.edge(edge) { out += " [label=\(quoted(label))]" }
            out += ";\n"
        }
        for node in blueprint.nodes {
            if let fallback = node.config.fallback {
                out += "    \(quoted(node.id)) -> \(quoted(fallback)) [style=dashed, label=\"fallback\"];\n"
            }
        }
        return out + "}\n"
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": break
            default:
                if scalar.value < 0x20 { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
