/// Emptied buffers of one element type, kept for reuse by ``RunHistoryDelivery``: at most
/// `largeKept` of at least `largeCapacity` elements (a long run's batch buffers) and at most
/// `smallKept` smaller ones (a short run's). A value type, guarded by the delivery's lock.
struct SpareBuffers<Element> {
    private var buffers: [ContiguousArray<Element>] = []
    /// How many of `buffers` are large.
    private var large = 0
    let largeCapacity: Int
    let largeKept: Int
    let smallKept: Int
    /// How many buffers from the top (the most recently kept) are looked at for one large enough.
    let searched: Int

    init(largeCapacity: Int, largeKept: Int, smallKept: Int, searched: Int) {
        self.largeCapacity = largeCapacity
        self.largeKept = largeKept
        self.smallKept = smallKept
        self.searched = searched
    }

    /// An empty buffer with room for at least `capacity` elements, if one is kept near the top.
    mutating func take(atLeast capacity: Int) -> ContiguousArray<Element>? {
        guard let i = buffers.indices.suffix(searched).last(where: { buffers[$0].capacity >= capacity }) else { return nil }
        let buffer = buffers.remove(at: i)
        if buffer.capacity >= largeCapacity { large -= 1 }
        return buffer
    }

    /// Keeps `buffer` (emptied) unless as many of its size are kept already.
    mutating func keep(_ buffer: ContiguousArray<Element>) {
        if buffer.capacity >= largeCapacity {
            guard large < largeKept else { return }
            large += 1
        } else if buffers.count - large >= smallKept {
            return
        }
        buffers.append(buffer)
    }

    /// Takes `buffer` out of its owner, emptied with its capacity kept (`nil` when it has none).
    static func emptied(_ buffer: inout ContiguousArray<Element>) -> ContiguousArray<Element>? {
        guard buffer.capacity > 0 else { return nil }
        var taken: ContiguousArray<Element> = []
        swap(&taken, &buffer)
        taken.removeAll(keepingCapacity: true)
        return taken
    }
}
