import FlowcraftModel

/// Draws a blueprint as a Graphviz `digraph`. Every id and label is a quoted DOT string with `\`,
/// `"` and newlines escaped, so any text (brackets, quotes, unicode) is valid.
package enum DOTGraphRenderer {
    package static func render(_ blueprint: WorkflowBlueprint) -> String { render(blueprint, overlay: nil) }

    /// With an overlay: each node filled in its state's colour with the state in its label, taken
    /// edges thick and green.
    package static func render(_ blueprint: WorkflowBlueprint, overlay: GraphOverlay?) -> String {
        var out = "digraph \(quoted(blueprint.id)) {\n"
        out += "    rankdir=TB;\n    node [shape=box, style=rounded];\n"
        for node in blueprint.nodes {
            let state = overlay?.nodeStates[node.id]
            var attributes = "label=\(quoted(GraphLabels.node(node) + (state.map { "\n(" + $0 + ")" } ?? "")))"
            if let state, let colours = GraphOverlay.colours(of: state) {
                let style = state == "skipped" ? "rounded,filled,dashed" : "rounded,filled"
                attributes += ", style=\"\(style)\", fillcolor=\"\(colours.fill)\", color=\"\(colours.stroke)\""
            }
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
            var attributes: [String] = []
            if let label = GraphLabels.edge(edge) { attributes.append("label=\(quoted(label))") }
            if overlay?.isTaken(edge) == true {
                attributes.append("color=\"\(GraphOverlay.takenColour)\", penwidth=3")
            }
            if !attributes.isEmpty { out += " [" + attributes.joined(separator: ", ") + "]" }
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
