@testable import Flowcraft
import Testing

/// How a run hands its history over: the summary it shares with the batches it handed over, and
/// the buffers and summary boxes the delivery hands back for reuse.
@Suite("In-memory history hand-over")
struct HistoryHandOverTests {
    /// Keeps each batch's status and event numbers as the run handed it over (batches of one run not
    /// merged: a ``RecordedHistoryRecorder``).
    final class BatchLog: RecordedHistoryRecorder, Sendable {
        let batches = PthreadMutex<[(runID: String, status: RunHistoryStatus, sequences: [Int])]>([])

        func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws {}

        func record(recorded batches: [RecordedHistoryBatch]) async throws {
            let seen = batches.map { (runID: $0.runID, status: $0.summary.status, sequences: $0.entries.map(\.sequence)) }
            self.batches.withLock { $0.append(contentsOf: seen) }
        }
    }

    static let registry: NodeRegistry = {
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult() }
        return registry
    }()

    static func chain(_ n: Int) -> WorkflowBlueprint {
        WorkflowBlueprint(
            id: "chain", nodes: (0..<n).map { NodeDefinition(id: "n\($0)", uses: "noop") },
            edges: (1..<n).map { EdgeDefinition(source: "n\($0 - 1)", target: "n\($0)") })
    }

    @Test("a batch handed over keeps the summary it was handed with when the run ends later")
    func handedOverSummaryDoesNotChange() async throws {
        let log = BatchLog()
        // Start, 3 nodes, end: batches of 2 are handed over while the run is still running.
        let runtime = try FlowRuntime(
            blueprints: [Self.chain(3)], registry: Self.registry,
            options: FlowRuntime.Options(history: log, historyBatchSize: 2))
        let result = try await runtime.run("chain")
        await runtime.flushHistory()
        #expect(result.status == .completed)
        let batches = log.batches.withLock { $0 }
        #expect(batches.map(\.sequences) == [[1, 2], [3, 4], [5]])
        // The run had not ended when it handed the first two over (they share its summary box).
        #expect(batches.map(\.status) == [.running, .running, .completed])
    }

    @Test("runs after the first reuse the buffers and summary boxes handed back, and each records its own summary")
    func reusedBoxesCarryEachRunsSummary() async throws {
        let log = BatchLog()
        let runtime = try FlowRuntime(blueprints: [Self.chain(2)], registry: Self.registry, options: FlowRuntime.Options(history: log))
        var ids: [String] = []
        for round in 0..<3 {
            for i in 0..<20 { ids.append(try await runtime.run("chain", runID: "r\(round)-\(i)").runID) }
            // Delivered: the boxes and buffers go back to the next round's runs.
            await runtime.flushHistory()
        }
        let recorded = log.batches.withLock { $0 }
        #expect(recorded.count == 60)
        #expect(recorded.allSatisfy { $0.status == .completed && $0.sequences == [1, 2, 3, 4] })
        // A reused box carries its own run's id, not the one it held before.
        #expect(recorded.map(\.runID) == ids)
    }

    @Test("the delivery collects longer while only long runs' large batches come, briefly again once a short run's batch is among them")
    func windowFollowsTheBatchesSizes() {
        func batch(_ entries: Int) -> RecordedHistoryBatch {
            RecordedHistoryBatch(
                summary: RunSummary(runID: "r", blueprintID: "b", status: .running, startedAt: 0),
                entries: ContiguousArray((1...entries).map { .event(RunHistoryEvent(sequence: $0, time: 0, kind: .paused(nodes: []))) }),
                writes: [])
        }
        let large = batch(RunHistoryDelivery.largeBatchEntries)
        let small = batch(5)
        #expect(RunHistoryDelivery.window(after: [large, large]) == RunHistoryDelivery.largeBatchWindow)
        #expect(RunHistoryDelivery.window(after: [large, small, large]) == RunHistoryDelivery.collectingWindow)
        #expect(RunHistoryDelivery.window(after: [small]) == RunHistoryDelivery.collectingWindow)
        #expect(RunHistoryDelivery.largeBatchWindow > RunHistoryDelivery.collectingWindow)
    }

    @Test("returned stacks keep at most their limit, the newest first, and hand out only suitable elements")
    func returnedStacksKeepTheirLimit() {
        var stacks = ReturnedStacks<Int>(limit: 5)
        var first = [1, 2, 3]
        stacks.keep(&first)
        #expect(first.isEmpty)
        var second = [4, 5, 6, 7]
        stacks.keep(&second)
        // Room for two: the newest two are kept, the rest stay with the caller.
        #expect(stacks.count == 5)
        #expect(second == [4, 5, 6, 7])
        #expect(stacks.take() == 7)
        #expect(stacks.take(searching: 2, where: { $0 < 7 }) == 6)
        // Within the newest stack's top only (emptied now): then the older stack.
        #expect(stacks.take(searching: 1, where: { $0 > 10 }) == nil)
        #expect(stacks.take() == 3)
        #expect(stacks.count == 2)
        var none: [Int] = []
        stacks.keep(&none)
        #expect(stacks.count == 2)
    }

    @Test("spare buffers keep large and small buffers apart and hand out one with enough room")
    func spareBuffersMatchCapacity() {
        var spares = SpareBuffers<Int>(largeCapacity: 64, largeKept: 1, smallKept: 2, searched: 2)
        var returned = SpareBuffers<Int>.Returned(largeCapacity: 64, smallKept: 2)
        for capacity in [4, 16, 8, 100, 200] {
            var buffer = ContiguousArray<Int>()
            buffer.reserveCapacity(capacity)
            returned.add(buffer)
        }
        spares.keep(&returned)
        // Small ones beyond two, and large ones beyond one, were not kept.
        #expect(spares.take(atLeast: 10).map { $0.capacity >= 10 } == true)
        #expect(spares.take(atLeast: 2).map { $0.capacity >= 2 } == true)
        #expect(spares.take(atLeast: 2).map { $0.capacity >= 64 } == true)
        #expect(spares.take(atLeast: 2) == nil)
    }
}
