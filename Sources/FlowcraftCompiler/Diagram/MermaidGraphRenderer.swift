import FlowcraftModel

/// Draws a blueprint as a Mermaid `flowchart`.
///
/// Node ids are rewritten to safe identifiers (`[A-Za-z0-9_]`, never a Mermaid keyword, unique);
/// the real id is shown in the label. Labels are always quoted and escape `"`, `#`, `<`, `>`, `&`,
/// `|` with Mermaid's `#…;` entities (Flowcraft's own renderer breaks on quotes), and newlines
/// become `<br/>`.
package enum MermaidGraphRenderer {
    package static func render(_ blueprint: WorkflowBlueprint) -> String { render(blueprint, overlay: nil) }

    /// With an overlay: a `classDef` per state and `class` lines for the nodes in it, the state in each
    /// node's label, and `linkStyle` for the taken edges.
    package static func render(_ blueprint: WorkflowBlueprint, overlay: GraphOverlay?) -> String {
        var out = "flowchart TD\n"
        let ids = safeIdentifiers(for: blueprint.nodes.map(\.id))
        var byNodeID: [String: String] = [:]
        byNodeID.reserveCapacity(blueprint.nodes.count)
        for (node, safe) in zip(blueprint.nodes, ids) where byNodeID[node.id] == nil {
            byNodeID[node.id] = safe
            var text = GraphLabels.node(node)
            if let state = overlay?.nodeStates[node.id] { text += "\n(" + state + ")" }
            let label = quoted(text)
            switch GraphLabels.shape(of: node) {
            case .box: out += "    \(safe)[\(label)]\n"
            case .decision: out += "    \(safe){\(label)}\n"
            case .subroutine: out += "    \(safe)[[\(label)]]\n"
            case .pause: out += "    \(safe)([\(label)])\n"
            }
        }
        // Edges to ids that are not nodes still draw, as plain boxes, so broken blueprints show.
        var extra = Set(byNodeID.values)
        func identifier(_ id: String) -> String {
            if let known = byNodeID[id] { return known }
            var candidate = "missing_" + sanitized(id)
            while extra.contains(candidate) { candidate += "_" }
            extra.insert(candidate)
            byNodeID[id] = candidate
            out += "    \(candidate)[\(quoted(id + "\n(missing)"))]\n"
            return candidate
        }
        var link = 0
        var takenLinks: [Int] = []
        for edge in blueprint.edges {
            if overlay?.isTaken(edge) == true { takenLinks.append(link) }
            link += 1
            let source = identifier(edge.source)
            let target = identifier(edge.target)
            if let label = GraphLabels.edge(edge) {
                out += "    \(source) -->|\(quoted(label))| \(target)\n"
            } else {
                out += "    \(source) --> \(target)\n"
            }
        }
        for node in blueprint.nodes {
            if let fallback = node.config.fallback, let from = byNodeID[node.id] {
                out += "    \(from) -.->|\"fallback\"| \(identifier(fallback))\n"
            }
        }
        if let overlay { out += styles(overlay, ids: byNodeID, takenLinks: takenLinks) }
        return out
    }

    private static func styles(_ overlay: GraphOverlay, ids: [String: String], takenLinks: [Int]) -> String {
        var out = ""
        for state in GraphOverlay.styledStates {
            let members = overlay.nodeStates.filter { $0.value == state }.keys.compactMap { ids[$0] }.sorted()
            guard !members.isEmpty, let colours = GraphOverlay.colours(of: state) else { continue }
            let dash = state == "skipped" ? ",stroke-dasharray:4 3" : ""
            out += "    classDef \(state) fill:\(colours.fill),stroke:\(colours.stroke)\(dash)\n"
            out += "    class \(members.joined(separator: ",")) \(state)\n"
        }
        if !takenLinks.isEmpty {
            out += "    linkStyle \(takenLinks.map(String.init).joined(separator: ",")) stroke:\(GraphOverlay.takenColour),stroke-width:3px\n"
        }
        return out
    }

    static let keywords: Set<String> = [
        "end", "graph", "flowchart", "subgraph", "direction", "style", "class", "classdef", "click",
        "linkstyle", "default", "call", "href",
    ]

    /// Unique Mermaid-safe identifiers, in order.
    static func safeIdentifiers(for ids: [String]) -> [String] {
        var used = Set<String>()
        used.reserveCapacity(ids.count)
        var result: [String] = []
        result.reserveCapacity(ids.count)
        for id in ids {
            var base = sanitized(id)
            if keywords.contains(base.lowercased()) { base = "n_" + base }
            var candidate = base
            var n = 2
            while !used.insert(candidate).inserted {
                candidate = "\(base)_\(n)"
                n += 1
            }
            result.append(candidate)
        }
        return result
    }

    static func sanitized(_ id: String) -> String {
        var out = ""
        for scalar in id.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" {
                out.unicodeScalars.append(scalar)
            } else {
                out += "_"
            }
        }
        if out.isEmpty || out.unicodeScalars.first.map({ ("0"..."9").contains($0) }) == true { out = "n_" + out }
        return out
    }

    /// A double-quoted Mermaid label with entity escapes.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "|": out += "#124;"
            case "\n": out += "<br/>"
            case "\r": break
            default:
                if scalar.value < 0x20 { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
