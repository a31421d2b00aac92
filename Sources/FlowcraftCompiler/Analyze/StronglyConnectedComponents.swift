/// Strongly connected components by an iterative Tarjan: linear time and memory, no recursion, so
/// a 100 000-node chain cannot overflow the stack.
struct StronglyConnectedComponents {
    /// Component of each node. Components are numbered in reverse topological order of the
    /// condensation (Tarjan's output order): every edge goes from a higher or equal number to a lower one.
    let component: [Int]
    let count: Int
    /// Node count of each component.
    let size: [Int]

    init(_ graph: BlueprintGraph) {
        self.init(count: graph.nodeCount, start: graph.outStart, targets: graph.outTargets)
    }

    /// Components of a graph given as compressed adjacency: the successors of `v` are
    /// `targets[start[v]..<start[v + 1]]`.
    init(count n: Int, start: [Int], targets: [Int]) {
        var indexOf = [Int](repeating: -1, count: n)
        var lowLink = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var component = [Int](repeating: -1, count: n)
        var size: [Int] = []
        var stack: [Int] = []
        // Call frames of the simulated recursion: node and position in its outgoing edges.
        var frames: [(node: Int, next: Int)] = []
        var counter = 0
        var count = 0

        for root in 0..<n where indexOf[root] < 0 {
            indexOf[root] = counter
            lowLink[root] = counter
            counter += 1
            stack.append(root)
            onStack[root] = true
            frames.append((root, start[root]))
            while let frame = frames.last {
                let v = frame.node
                if frame.next < start[v + 1] {
                    frames[frames.count - 1].next += 1
                    let w = targets[frame.next]
                    if indexOf[w] < 0 {
                        indexOf[w] = counter
                        lowLink[w] = counter
                        counter += 1
                        stack.append(w)
                        onStack[w] = true
                        frames.append((w, start[w]))
                    } else if onStack[w] {
                        lowLink[v] = min(lowLink[v], indexOf[w])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last {
                    lowLink[parent.node] = min(lowLink[parent.node], lowLink[v])
                }
                if lowLink[v] == indexOf[v] {
                    var members = 0
                    while let w = stack.popLast() {
                        onStack[w] = false
                        component[w] = count
                        members += 1
                        if w == v { break }
                    }
                    size.append(members)
                    count += 1
                }
            }
        }
        self.component = component
        self.count = count
        self.size = size
    }
}
