import Flowcraft

/// A layered drawing of a blueprint, computed in Swift: each node's level is its longest path from
/// a start node over forward edges (loop-back edges left out, as the analyzer's levels are), levels
/// run left to right, and the nodes of a level are ordered by the barycentre of their neighbours
/// (a few sweeps down and up) so that edges cross as little as the levels allow.
package struct GraphLayout: Sendable {
    package struct NodeBox: Sendable, Hashable {
        package var id: String
        package var level: Int
        package var x: Double
        package var y: Double
    }

    package struct EdgePath: Sendable, Hashable {
        /// Index into the plan's edges.
        package var index: Int
        package var source: Int
        package var target: Int
        package var isBackEdge: Bool
        package var label: String?
    }

    package static let nodeWidth = 160.0
    package static let nodeHeight = 40.0
    static let levelGap = 70.0
    static let rowGap = 26.0
    static let margin = 20.0

    package let nodes: [NodeBox]
    package let edges: [EdgePath]
    package let width: Double
    package let height: Double

    package init(plan: CompiledBlueprint) {
        let count = plan.nodes.count
        let levels = Self.levels(plan)
        let levelCount = (levels.max() ?? -1) + 1
        var rows = [[Int]](repeating: [], count: levelCount)
        for node in 0..<count { rows[levels[node]].append(node) }
        var forward = [[Int]](repeating: [], count: count)
        var backward = [[Int]](repeating: [], count: count)
        for (index, edge) in plan.edges.enumerated() where !plan.isBackEdge[index] {
            forward[edge.source].append(edge.target)
            backward[edge.target].append(edge.source)
        }
        rows = Self.ordered(rows, forward: forward, backward: backward, count: count)

        let tallest = rows.map(\.count).max() ?? 0
        let columnHeight = Double(tallest) * (Self.nodeHeight + Self.rowGap) - Self.rowGap
        var boxes = [NodeBox](repeating: NodeBox(id: "", level: 0, x: 0, y: 0), count: count)
        for (level, row) in rows.enumerated() {
            let rowHeight = Double(row.count) * (Self.nodeHeight + Self.rowGap) - Self.rowGap
            let top = Self.margin + (columnHeight - rowHeight) / 2
            for (position, node) in row.enumerated() {
                boxes[node] = NodeBox(
                    id: plan.nodes[node].id, level: level,
                    x: Self.margin + Double(level) * (Self.nodeWidth + Self.levelGap),
                    y: top + Double(position) * (Self.nodeHeight + Self.rowGap))
            }
        }
        nodes = boxes
        edges = plan.edges.enumerated().map { index, edge in
            EdgePath(
                index: index, source: edge.source, target: edge.target, isBackEdge: plan.isBackEdge[index],
                label: edge.action ?? (edge.condition == nil ? nil : "if"))
        }
        let hasBackEdges = plan.isBackEdge.contains(true)
        width = Self.margin * 2 + Double(max(levelCount, 1)) * (Self.nodeWidth + Self.levelGap) - Self.levelGap
        height = Self.margin * 2 + max(columnHeight, Self.nodeHeight) + (hasBackEdges ? 40 : 0)
    }

    /// Longest path from the start nodes over forward edges; nodes no forward path reaches sit at 0.
    static func levels(_ plan: CompiledBlueprint) -> [Int] {
        let count = plan.nodes.count
        var indegree = [Int](repeating: 0, count: count)
        for (index, edge) in plan.edges.enumerated() where !plan.isBackEdge[index] { indegree[edge.target] += 1 }
        var level = [Int](repeating: 0, count: count)
        var ready = (0..<count).filter { indegree[$0] == 0 }
        var cursor = 0
        while cursor < ready.count {
            let node = ready[cursor]
            cursor += 1
            for edgeIndex in plan.outgoing[node] where !plan.isBackEdge[edgeIndex] {
                let target = plan.edges[edgeIndex].target
                level[target] = max(level[target], level[node] + 1)
                indegree[target] -= 1
                if indegree[target] == 0 { ready.append(target) }
            }
        }
        return level
    }

    /// Barycentre ordering: four sweeps, each sorting a level by the mean position of its neighbours
    /// in the previous (down) or next (up) level; ties keep the current order.
    static func ordered(_ rows: [[Int]], forward: [[Int]], backward: [[Int]], count: Int) -> [[Int]] {
        var rows = rows
        var position = [Double](repeating: 0, count: count)
        func index() {
            for row in rows { for (i, node) in row.enumerated() { position[node] = Double(i) } }
        }
        index()
        for sweep in 0..<4 {
            let down = sweep % 2 == 0
            let order = down ? Array(rows.indices.dropFirst()) : Array(rows.indices.dropLast().reversed())
            for level in order {
                let keyed = rows[level].map { node -> (Int, Double) in
                    let neighbours = down ? backward[node] : forward[node]
                    guard !neighbours.isEmpty else { return (node, position[node]) }
                    return (node, neighbours.map { position[$0] }.reduce(0, +) / Double(neighbours.count))
                }
                rows[level] = keyed.enumerated().sorted { a, b in
                    a.element.1 != b.element.1 ? a.element.1 < b.element.1 : a.offset < b.offset
                }.map(\.element.0)
                for (i, node) in rows[level].enumerated() { position[node] = Double(i) }
            }
        }
        return rows
    }
}
