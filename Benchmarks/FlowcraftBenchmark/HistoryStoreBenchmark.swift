import Flowcraft
import FlowcraftSQLite
import Foundation
import Synchronization

/// `flowcraft-benchmark history-store [--rounds N]`: the SQLite store's own CPU per recorded event,
/// without the engine around it. The engine runs each case once with a recorder that keeps the
/// runs' compact batches as the delivery handed them over (a 100 000-node fan-out, 10 000
/// sequential 3-node runs); each round then writes those same calls into a fresh file on this
/// task and times them (the process's CPU and wall time). In the engine benchmark the store runs on a
/// core the engine's nodes also use (a fan-out keeps both busy), so what it spends per event is
/// taken from the runs; here it is measured alone, with little of the VM's noise (one thread, no
/// scheduling between the two sides).
enum HistoryStoreBenchmark {
    static func run(arguments: [String]) async {
        var rounds = 7
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--rounds" where i + 1 < arguments.count:
                rounds = EngineBenchmark.roundsOption(arguments[i + 1])
                i += 1
            default:
                FileHandle.standardError.write(Data("unknown history-store option \(arguments[i])\n".utf8))
                exit(2)
            }
            i += 1
        }
        do {
            let fanOut = try await collect(EngineBenchmark.fanOut(100_000)) { runtime in
                _ = try await runtime.run("fan")
            }
            let small = try await collect(EngineBenchmark.chain(3)) { runtime in
                for _ in 0..<10_000 { _ = try await runtime.run("chain") }
            }
            print("SQLite store alone, \(rounds) rounds (median, best); the process's CPU (the store's), wall in brackets")
            try await measure("fan-out 100000", fanOut, rounds: rounds)
            try await measure("3-node x 10000 seq", small, rounds: rounds)
        } catch {
            FileHandle.standardError.write(Data("history-store benchmark failed: \(error)\n".utf8))
            exit(1)
        }
    }

    /// The recorder calls of one engine pass over `blueprint`, as the delivery made them.
    private static func collect(
        _ blueprint: WorkflowBlueprint, _ body: (FlowRuntime) async throws -> Void
    ) async throws -> [[RecordedHistoryBatch]] {
        let collector = CollectingRecorder()
        let runtime = try FlowRuntime(
            blueprints: [blueprint], registry: EngineBenchmark.registry, options: FlowRuntime.Options(history: collector))
        try await body(runtime)
        await runtime.flushHistory()
        return collector.calls
    }

    private static func measure(_ label: String, _ calls: [[RecordedHistoryBatch]], rounds: Int) async throws {
        var events = 0
        var runs = Set<String>()
        for call in calls {
            for batch in call {
                events += batch.entries.count
                runs.insert(batch.runID)
            }
        }
        var cpu: [Double] = []
        var wall: [Double] = []
        for round in 0...rounds {
            let path = EngineBenchmark.temporaryHistoryPath("-store")
            defer { EngineBenchmark.removeHistory(at: path) }
            let store = try await SQLiteRunHistory(path: path)
            let clock = ContinuousClock()
            // The process's CPU: this task only waits for the store's queue meanwhile.
            let cpuStart = EngineBenchmark.cpuMilliseconds()
            let elapsed = try await clock.measure {
                for call in calls { try await store.record(recorded: call) }
            }
            let used = EngineBenchmark.cpuMilliseconds() - cpuStart
            guard round > 0 else { continue }  // warm-up
            cpu.append(used * 1e6)
            wall.append(EngineBenchmark.milliseconds(elapsed) * 1e6)
        }
        let perEvent = { (ns: Double) in String(format: "%.0f ns", ns / Double(events)) }
        let perRun = { (ns: Double) in String(format: "%.2f µs", ns / Double(runs.count) / 1000) }
        print(
            "\(label): \(events) events, \(runs.count) runs, \(calls.count) calls: "
                + "per event \(perEvent(HistoryComparison.median(cpu))) (best \(perEvent(cpu.min() ?? 0)); wall \(perEvent(HistoryComparison.median(wall)))), "
                + "per run \(perRun(HistoryComparison.median(cpu))) (best \(perRun(cpu.min() ?? 0)))")
    }
}

/// Keeps the batches of every recorder call (the delivery empties its own buffers afterwards: these
/// copies keep theirs).
final class CollectingRecorder: RecordedHistoryRecorder {
    private let collected = Mutex<[[RecordedHistoryBatch]]>([])

    var calls: [[RecordedHistoryBatch]] { collected.withLock { $0 } }

    func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws {}
    func record(batches: [RunHistoryBatch]) async throws {}
    func record(recorded batches: [RecordedHistoryBatch]) async throws {
        collected.withLock { $0.append(batches) }
    }
}
