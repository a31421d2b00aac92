/// A first-in first-out queue on one array, amortised O(1) both ways: an entry is moved out when
/// taken, and taken slots are dropped in bulk once they are at least half the array (and at least
/// 32), so a queue that never runs empty — entries added as fast as they are taken — keeps no more
/// storage than about twice what waits in it. Encodes only the waiting entries.
struct FIFOQueue<Element> {
    private var entries: [Element?] = []
    private var head = 0

    init() {}

    var isEmpty: Bool { head == entries.count }

    /// Entries waiting.
    var count: Int { entries.count - head }

    /// The entries waiting, in taking order.
    var waiting: [Element] { entries[head...].map { $0! } }

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

extension FIFOQueue: Sendable where Element: Sendable {}

extension FIFOQueue: Codable where Element: Codable {
    init(from decoder: any Decoder) throws {
        entries = try decoder.singleValueContainer().decode([Element].self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(waiting)
    }
}
