/// Emptied buffers of one element type, kept for reuse by ``RunHistoryDelivery``: at most
/// `largeKept` of at least `largeCapacity` elements (a long run's batch buffers) and at most
/// `smallKept` smaller ones (a short run's). A value type, guarded by the delivery's lock.
///
/// The delivery hands buffers back a window's worth at a time (thousands of short runs' buffers):
/// it sorts them into a ``Returned`` before it takes the lock, and ``keep(_:)`` then adds the small
/// ones as one stack, without touching each buffer, so that a run taking a buffer never waits
/// behind a long hand-back.
struct SpareBuffers<Element> {
    /// Buffers sorted for ``keep(_:)``, outside the lock.
    struct Returned {
        fileprivate var large: [ContiguousArray<Element>] = []
        fileprivate var small: [ContiguousArray<Element>] = []
        fileprivate let largeCapacity: Int
        fileprivate let smallKept: Int

        /// Sorts into large (at least `largeCapacity`) and at most `smallKept` small buffers.
        init(largeCapacity: Int, smallKept: Int) {
            self.largeCapacity = largeCapacity
            self.smallKept = smallKept
        }

        /// Adds `buffer` (emptied), unless as many small buffers as could be kept are here already.
        mutating func add(_ buffer: ContiguousArray<Element>) {
            if buffer.capacity >= largeCapacity {
                large.append(buffer)
            } else if small.count < smallKept {
                small.append(buffer)
            }
        }

        var isEmpty: Bool { large.isEmpty && small.isEmpty }
    }

    private var large: [ContiguousArray<Element>] = []
    private var small: ReturnedStacks<ContiguousArray<Element>>
    let largeCapacity: Int
    let largeKept: Int
    let smallKept: Int
    /// How many buffers from the top of a stack are looked at for one large enough.
    let searched: Int

    init(largeCapacity: Int, largeKept: Int, smallKept: Int, searched: Int) {
        self.largeCapacity = largeCapacity
        self.largeKept = largeKept
        self.smallKept = smallKept
        self.searched = searched
        self.small = ReturnedStacks(limit: smallKept)
    }

    /// An empty buffer with room for at least `capacity` elements, if one is kept near the top of
    /// its stack.
    mutating func take(atLeast capacity: Int) -> ContiguousArray<Element>? {
        if capacity < largeCapacity, let buffer = small.take(searching: searched, where: { $0.capacity >= capacity }) {
            return buffer
        }
        guard let i = large.indices.suffix(searched).last(where: { large[$0].capacity >= capacity }) else { return nil }
        return large.remove(at: i)
    }

    /// Keeps what `returned` holds, up to the limits; what is not kept stays in `returned` (to be
    /// freed once the lock is released).
    mutating func keep(_ returned: inout Returned) {
        while large.count < largeKept, let buffer = returned.large.popLast() { large.append(buffer) }
        small.keep(&returned.small)
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

extension SpareBuffers.Returned: Sendable where Element: Sendable {}
