import Flowcraft
import Foundation
import Synchronization
import Testing

/// A recorder slower than the runs: the history handed over and not yet taken stays within
/// `historyBacklogLimit`, because the runs wait for it, and nothing is dropped.
@Suite("In-memory history backlog")
struct HistoryBacklogTests {
    /// Records nothing until opened; counts the runs it recorded (a run's end is one event).
    final class GatedRecorder: RunHistoryRecorder, Sendable {
        private let state = PthreadMutex<(open: Bool, calls: Int, ended: Int, gate: [CheckedContinuation<Void, Never>])>(
            (false, 0, 0, []))

        var calls: Int { state.withLock { $0.calls } }
        var ended: Int { state.withLock { $0.ended } }

        func open() {
            let waiting = state.withLock { s in
                s.open = true
                defer { s.gate = [] }
                return s.gate
            }
            for continuation in waiting { continuation.resume() }
        }

        func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws {
            try await record(batches: [RunHistoryBatch(summary: summary, events: events)])
        }

        func record(batches: [RunHistoryBatch]) async throws {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let open = state.withLock { s -> Bool in
                    s.calls += 1
                    if !s.open { s.gate.append(continuation) }
                    return s.open
                }
                if open { continuation.resume() }
            }
            let ends = batches.reduce(0) { count, batch in
                count + batch.events.filter { if case .runEnded = $0.kind { true } else { false } }.count
            }
            state.withLock { $0.ended += ends }
        }
    }

    @Test("runs wait while the recorder is behind by more than the backlog limit; every run's history arrives once it catches up")
    func runsWaitForASlowRecorder() async throws {
        let recorder = GatedRecorder()
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult() }
        let chain = WorkflowBlueprint(
            id: "chain", nodes: (0..<3).map { NodeDefinition(id: "n\($0)", uses: "noop") },
            edges: [EdgeDefinition(source: "n0", target: "n1"), EdgeDefinition(source: "n1", target: "n2")])
        // A run is 5 events (start, 3 nodes, end): at most 4 runs fit in the backlog.
        let runtime = try FlowRuntime(
            blueprints: [chain], registry: registry, options: FlowRuntime.Options(history: recorder, historyBacklogLimit: 20))
        let finished = Atomic<Int>(0)
        let runs = Task {
            for _ in 0..<50 {
                _ = try await runtime.run("chain")
                finished.add(1, ordering: .relaxed)
            }
        }
        // The first delivery is held by the recorder; the runs after it fill the backlog and wait.
        while recorder.calls == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(300))
        let whileHeld = finished.load(ordering: .relaxed)
        // The held delivery's runs, then at most the limit's worth (plus the run that crossed it).
        #expect(whileHeld < 50, "the runs did not wait for the recorder")
        #expect(whileHeld <= 25, "\(whileHeld) runs finished while the recorder held its first delivery")
        recorder.open()
        try await runs.value
        await runtime.flushHistory()
        #expect(finished.load(ordering: .relaxed) == 50)
        #expect(recorder.ended == 50, "every run's history is recorded, none dropped")
    }
}
