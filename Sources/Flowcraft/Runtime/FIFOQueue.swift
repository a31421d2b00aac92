/// A first-in first-out queue on one array: taken entries are dropped in bulk once they are at
/// least half the array (and at least 32), so a queue that never runs empty — entries added as fast
/// as they are taken — keeps no more storage than about twice what waits in it.
struct FIFOQueue<Element> {
    private var entries: [Element?] = []
    private var head = 0

    var isEmpty: Bool { head == entries.count }

    /// Entries waiting.
    var count: Int { entries.count - head }

    /// Slots the array holds, taken ones included (for tests of the bound).
    var storedCount: Int { entries.count }

    mutating func append(_ element: consuming Element) {
        entries.append(element)
    }

    /// The oldest entry, removed; `nil` when empty.
    mutating func popFirst() -> Element? {
        guard head < entries.count else { return nil }
        let next = entries[head].take()
        head += 1
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32 && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return next
    }
}
