/// Objects handed back to the runs a window's worth at a time, kept as the stacks they came in:
/// adding one is O(1) under the lock however many it holds (the hand-back never keeps a run
/// waiting for the lock), and taking one pops the newest. At most `limit` are kept.
struct ReturnedStacks<Element> {
    private var stacks: [[Element]] = []
    private(set) var count = 0
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// The newest element among the top `searched` of the newest stack that `isSuitable` accepts.
    mutating func take(searching searched: Int = 1, where isSuitable: (Element) -> Bool = { _ in true }) -> Element? {
        while let top = stacks.indices.last {
            if stacks[top].isEmpty {
                stacks.removeLast()
                continue
            }
            guard let i = stacks[top].indices.suffix(searched).last(where: { isSuitable(stacks[top][$0]) }) else { return nil }
            count -= 1
            return stacks[top].remove(at: i)
        }
        return nil
    }

    /// Keeps `stack` (its newest elements, as many as fit); what is not kept stays in `stack`, to be
    /// freed once the lock is released.
    mutating func keep(_ stack: inout [Element]) {
        let room = limit - count
        guard !stack.isEmpty, room > 0 else { return }
        var kept: [Element] = []
        if stack.count <= room {
            swap(&kept, &stack)
        } else {
            // Rare (the runs took fewer than were handed back): the newest that fit.
            kept = Array(stack.suffix(room))
        }
        count += kept.count
        stacks.append(kept)
    }
}
