@testable import Flowcraft
import Testing

/// The queue a run's worker tasks take jobs from (``NodeJobPool``).
@Suite("FIFOQueue")
struct FIFOQueueTests {
    @Test("entries come out in the order they went in")
    func order() {
        var queue = FIFOQueue<Int>()
        #expect(queue.popFirst() == nil)
        for i in 0..<100 { queue.append(i) }
        var taken: [Int] = []
        for _ in 0..<40 { taken.append(queue.popFirst()!) }
        for i in 100..<150 { queue.append(i) }
        while let next = queue.popFirst() { taken.append(next) }
        #expect(taken == Array(0..<150))
        #expect(queue.isEmpty && queue.count == 0)
    }

    @Test("a queue that never runs empty keeps at most about twice what waits in it")
    func storageStaysBounded() {
        var queue = FIFOQueue<Int>()
        for i in 0..<10 { queue.append(i) }
        var next = 10
        var expected = 0
        var largest = 0
        for _ in 0..<100_000 {
            queue.append(next)
            next += 1
            #expect(queue.popFirst() == expected)
            expected += 1
            largest = max(largest, queue.storedCount)
        }
        #expect(queue.count == 10)
        #expect(largest <= 2 * 32 + 10, "the array grew to \(largest) slots for 10 waiting entries")
    }
}
