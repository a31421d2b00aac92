import Flowcraft

/// Draws a ``GraphLayout`` as inline SVG: nodes filled by state, taken edges thick and dark,
/// loop-back edges curved below the graph.
enum GraphSVG {
    /// Fill colour of each node state (the failed colour is what the browser tests look for).
    static func fill(for state: DashboardRunView.NodeState?) -> String {
        switch state {
        case .completed: return "#16a34a"
        case .recovered: return "#d97706"
        case .failed: return "#dc2626"
        case .running: return "#7c3aed"
        case .waiting: return "#2563eb"
        case .skipped: return "#cbd5e1"
        case .notReached, nil: return "#e5e7eb"
        }
    }

    static func render(
        _ layout: GraphLayout, plan: CompiledBlueprint, states: [String: DashboardRunView.NodeState]? = nil,
        takenEdges: Set<Int> = []
    ) -> String {
        let w = GraphLayout.nodeWidth
        let h = GraphLayout.nodeHeight
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" width="\(n(layout.width))" \
            height="\(n(layout.height))" viewBox="0 0 \(n(layout.width)) \(n(layout.height))">\
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" \
            orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker>\
            <marker id="arrow-taken" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" \
            orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#0f172a"/></marker></defs>
            """
        for edge in layout.edges {
            let from = layout.nodes[edge.source]
            let to = layout.nodes[edge.target]
            let taken = takenEdges.contains(edge.index)
            let path: String
            let labelX: Double
            let labelY: Double
            if edge.isBackEdge || to.level <= from.level {
                let x1 = from.x + w / 2
                let y1 = from.y + h
                let x2 = to.x + w / 2
                let y2 = to.y + h
                let bottom = layout.height - 8
                path = "M\(n(x1)),\(n(y1)) C\(n(x1)),\(n(bottom)) \(n(x2)),\(n(bottom)) \(n(x2)),\(n(y2))"
                labelX = (x1 + x2) / 2
                labelY = bottom - 4
            } else {
                let x1 = from.x + w
                let y1 = from.y + h / 2
                let x2 = to.x
                let y2 = to.y + h / 2
                let bend = (x2 - x1) / 2
                path = "M\(n(x1)),\(n(y1)) C\(n(x1 + bend)),\(n(y1)) \(n(x2 - bend)),\(n(y2)) \(n(x2)),\(n(y2))"
                labelX = (x1 + x2) / 2
                labelY = (y1 + y2) / 2 - 4
            }
            let cls = taken ? "edge taken" : "edge"
            let marker = taken ? "arrow-taken" : "arrow"
            svg += """
                <path class="\(cls)" data-edge="\(HTML.escape(from.id))-\(HTML.escape(to.id))" d="\(path)" fill="none" \
                stroke="\(taken ? "#0f172a" : "#94a3b8")" stroke-width="\(taken ? 3 : 1.5)" \
                \(edge.isBackEdge ? "stroke-dasharray=\"5 4\" " : "")marker-end="url(#\(marker))"/>
                """
            if let label = edge.label {
                svg += "<text class=\"edge-label\" x=\"\(n(labelX))\" y=\"\(n(labelY))\" text-anchor=\"middle\">\(HTML.escape(label))</text>"
            }
        }
        for (index, box) in layout.nodes.enumerated() {
            let state = states.map { $0[box.id] ?? .notReached }
            let color = states == nil ? "#f8fafc" : Self.fill(for: state)
            let dark = state == .completed || state == .failed || state == .waiting || state == .recovered || state == .running
            let uses = plan.nodes[index].uses
            let label = box.id.count > 20 ? String(box.id.prefix(19)) + "…" : box.id
            svg += """
                <g class="node\(state.map { " state-\($0.rawValue)" } ?? "")" data-node="\(HTML.escape(box.id))" \
                data-state="\(state?.rawValue ?? "")"><title>\(HTML.escape(box.id)) (\(HTML.escape(uses)))\
                \(state.map { ": \($0.rawValue)" } ?? "")</title>\
                <rect x="\(n(box.x))" y="\(n(box.y))" width="\(n(w))" height="\(n(h))" rx="6" fill="\(color)" \
                stroke="#334155" stroke-width="1"/>\
                <text x="\(n(box.x + w / 2))" y="\(n(box.y + h / 2 + 5))" text-anchor="middle" \
                fill="\(dark ? "#ffffff" : "#0f172a")">\(HTML.escape(label))</text></g>
                """
        }
        return svg + "</svg>"
    }

    /// A coordinate with at most one decimal.
    private static func n(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
