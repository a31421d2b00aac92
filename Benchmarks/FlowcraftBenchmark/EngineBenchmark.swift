import Flowcraft
import FlowcraftObservability
import FlowcraftSQLite
import Foundation

/// `flowcraft-benchmark engine [--shape all|chain|fanout|small|concurrent] [--nodes N] [--runs N]
/// [--middleware none|empty|metrics] [--history none|records|discard|sqlite]`: the in-memory engine on no-op nodes.
/// Prints one line per case (wall time, the process's CPU time and minor page faults while the case
/// ran: a count the VM's noise does not move) and the process's peak RSS (VmHWM); run one shape per process to
/// attribute peak memory to it. `--middleware` installs an empty middleware, `MetricsMiddleware`
/// (recording into `SummingMetricsFactory`), to price them. `--history sqlite` records run history
/// into a fresh SQLite file (`SQLiteRunHistory`, deleted at the end unless `FLOWCRAFT_BENCH_KEEP` is
/// set, to look into it); each case then also prints how long after the run its history was all
/// written (the writing happens off the run, on the store's queue);
/// `--history discard` prices the engine's side alone (a recorder that keeps nothing, given the
/// public events the engine builds for it off the runs' tasks); `--history records` the runs' side
/// alone (a recorder that takes the runs' compact records, as the SQLite store does, and keeps
/// nothing: no event is built). `--compare-history MODE [--rounds N]` runs the selected cases
/// without history and with MODE alternately in this one process and prints their ratios
/// (``HistoryComparison``).
enum EngineBenchmark {
    static func run(arguments: [String]) async {
        var shape = "all"
        var middlewareName = "none"
        var historyName = "none"
        var sizes = [1_000, 10_000, 100_000]
        /// Runs of the small shapes (`nil`: 10 000 sequential, 1 000 concurrent).
        var runs: Int?
        /// `--compare-history MODE --rounds N`: every case without and with history MODE, alternately
        /// in this one process (``HistoryComparison``).
        var compared: String?
        var rounds = 7
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--shape" where i + 1 < arguments.count:
                shape = arguments[i + 1]
                i += 1
            case "--nodes" where i + 1 < arguments.count:
                sizes = arguments[i + 1].split(separator: ",").compactMap { Int($0) }
                i += 1
            case "--runs" where i + 1 < arguments.count:
                guard let n = Int(arguments[i + 1]), n >= 1 else {
                    FileHandle.standardError.write(Data("--runs needs a whole number of at least 1, got '\(arguments[i + 1])'\n".utf8))
                    exit(2)
                }
                runs = n
                i += 1
            case "--history" where i + 1 < arguments.count:
                historyName = arguments[i + 1]
                i += 1
            case "--compare-history" where i + 1 < arguments.count:
                compared = arguments[i + 1]
                i += 1
            case "--rounds" where i + 1 < arguments.count:
                rounds = roundsOption(arguments[i + 1])
                i += 1
            case "--middleware" where i + 1 < arguments.count:
                middlewareName = arguments[i + 1]
                i += 1
            default:
                FileHandle.standardError.write(Data("unknown engine option \(arguments[i])\n".utf8))
                exit(2)
            }
            i += 1
        }
        let middleware: [any NodeMiddleware]
        switch middlewareName {
        case "none": middleware = []
        case "empty": middleware = [EmptyMiddleware()]
        case "metrics": middleware = [MetricsMiddleware(factory: SummingMetricsFactory())]
        default:
            FileHandle.standardError.write(Data("unknown --middleware \(middlewareName)\n".utf8))
            exit(2)
        }
        if middlewareName != "none" { print("middleware: \(middlewareName)") }
        let options = FlowRuntime.Options(middleware: middleware)
        let cases = Cases(shape: shape, sizes: sizes, runs: runs)
        if let compared {
            await HistoryComparison(cases: cases, options: options, history: compared, rounds: rounds).run()
            return
        }
        let historyPath = temporaryHistoryPath()
        defer { removeHistory(at: historyPath) }
        var recorded = options
        recorded.history = await openHistory(historyName, path: historyPath)
        switch historyName {
        case "records": print("history: recorded by the runs, the records discarded")
        case "discard": print("history: recorded by the engine, discarded by the recorder")
        case "sqlite": print("history: sqlite (\(historyPath))")
        default: break
        }
        do {
            _ = try await cases.measure(options: recorded, printing: true)
        } catch {
            FileHandle.standardError.write(Data("engine benchmark failed: \(error)\n".utf8))
            exit(1)
        }
        print("peak RSS (VmHWM): \(peakRSS())")
    }

    /// Each measured case's label and wall time in milliseconds, in order.
    typealias CaseTimes = [(label: String, milliseconds: Double)]

    /// The cases a `--shape` selects.
    struct Cases {
        var shape: String
        var sizes: [Int]
        /// Runs of the small shapes (`nil`: 10 000 sequential, 1 000 concurrent).
        var runs: Int?

        /// Runs every selected case once on `options`. `printing`: a line per case (and the
        /// history's lag).
        func measure(options: FlowRuntime.Options, printing: Bool) async throws -> CaseTimes {
            var times: CaseTimes = []
            if shape == "all" || shape == "chain" {
                for n in sizes {
                    times.append(("chain \(n)", try await measureGraph("chain", n, chain(n), options: options, printing: printing)))
                }
            }
            if shape == "all" || shape == "fanout" {
                for n in sizes {
                    times.append(
                        ("fan-out \(n)", try await measureGraph("fan-out/fan-in", n, fanOut(n), options: options, printing: printing)))
                }
            }
            if shape == "all" || shape == "small" {
                let n = runs ?? 10_000
                times.append(("3-node x \(n) seq", try await smallSequential(runs: n, options: options, printing: printing)))
            }
            if shape == "all" || shape == "concurrent" {
                let n = runs ?? 1_000
                times.append(("3-node x \(n) conc", try await smallConcurrent(runs: n, options: options, printing: printing)))
            }
            return times
        }
    }

    /// The value of `--rounds`: a whole number from 1 to 1000, or the process exits with status 2
    /// saying so.
    static func roundsOption(_ text: String) -> Int {
        guard let n = Int(text), (1...1_000).contains(n) else {
            FileHandle.standardError.write(Data("--rounds needs a whole number from 1 to 1000, got '\(text)'\n".utf8))
            exit(2)
        }
        return n
    }

    /// A fresh path for a SQLite history in the temporary directory.
    static func temporaryHistoryPath(_ suffix: String = "") -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("flowcraft-bench-\(ProcessInfo.processInfo.processIdentifier)\(suffix).sqlite").path
    }

    /// Deletes the SQLite history at `path` (and its WAL files) unless `FLOWCRAFT_BENCH_KEEP` is set.
    static func removeHistory(at path: String) {
        guard ProcessInfo.processInfo.environment["FLOWCRAFT_BENCH_KEEP"] == nil else { return }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// The recorder `--history name` selects (`nil` for `none`); `sqlite` opens a store at `path`.
    /// Exits with status 2 for an unknown name, 1 when the store cannot be opened.
    static func openHistory(_ name: String, path: String) async -> (any RunHistoryRecorder)? {
        switch name {
        case "none": return nil
        case "records": return DiscardingRecordsRecorder()
        case "discard": return DiscardingRecorder()
        case "sqlite":
            do {
                return try await SQLiteRunHistory(path: path)
            } catch {
                FileHandle.standardError.write(Data("cannot open the history: \(error)\n".utf8))
                exit(1)
            }
        default:
            FileHandle.standardError.write(Data("unknown --history \(name) (none, records, discard or sqlite)\n".utf8))
            exit(2)
        }
    }

    static var registry: NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult() }
        return registry
    }

    static func chain(_ n: Int) -> WorkflowBlueprint {
        let nodes = (0..<n).map { NodeDefinition(id: "n\($0)", uses: "noop") }
        let edges = (1..<max(1, n)).map { EdgeDefinition(source: "n\($0 - 1)", target: "n\($0)") }
        return WorkflowBlueprint(id: "chain", nodes: nodes, edges: edges)
    }

    /// `start` → n workers → `join` (an `all` join over n predecessors).
    static func fanOut(_ n: Int) -> WorkflowBlueprint {
        var nodes = [NodeDefinition(id: "start", uses: "noop"), NodeDefinition(id: "join", uses: "noop")]
        var edges: [EdgeDefinition] = []
        for i in 0..<n {
            nodes.append(NodeDefinition(id: "w\(i)", uses: "noop"))
            edges.append(EdgeDefinition(source: "start", target: "w\(i)"))
            edges.append(EdgeDefinition(source: "w\(i)", target: "join"))
        }
        return WorkflowBlueprint(id: "fan", nodes: nodes, edges: edges)
    }

    static func measureGraph(
        _ label: String, _ n: Int, _ blueprint: WorkflowBlueprint, options: FlowRuntime.Options, printing: Bool
    ) async throws -> Double {
        let clock = ContinuousClock()
        var plan: CompiledBlueprint?
        let prepare = try clock.measure { plan = try CompiledBlueprint(blueprint) }
        guard let plan else { return 0 }
        let runtime = FlowRuntime(plans: [plan], registry: registry, options: options)
        var status = WorkflowStatus.failed
        let cpuStart = cpuMilliseconds()
        let faultsStart = pageFaults()
        let elapsed = try await clock.measure {
            status = try await runtime.run(plan.id).status
        }
        let cpu = cpuMilliseconds() - cpuStart
        let faults = pageFaults() - faultsStart
        if printing {
            print(
                "\(label) \(n) nodes: run \(ms(elapsed)) (\(String(format: "%.2f", cpu)) ms CPU, \(faults) page faults; prepare \(ms(prepare))), \(status.rawValue)")
        }
        await reportHistory(runtime, printing: printing)
        return milliseconds(elapsed)
    }

    /// With history: how long after the measured part the history was all written.
    /// (Waits for it in any case: the next case starts with nothing left to write.)
    static func reportHistory(_ runtime: FlowRuntime, printing: Bool) async {
        guard runtime.options.history != nil else { return }
        let flushed = await ContinuousClock().measure { await runtime.flushHistory() }
        if printing { print("  history written \(ms(flushed)) later") }
    }

    static func smallSequential(runs: Int, options: FlowRuntime.Options, printing: Bool) async throws -> Double {
        let runtime = try FlowRuntime(blueprints: [chain(3)], registry: registry, options: options)
        let clock = ContinuousClock()
        var completed = 0
        let cpuStart = cpuMilliseconds()
        let faultsStart = pageFaults()
        let elapsed = try await clock.measure {
            for _ in 0..<runs where try await runtime.run("chain").status == .completed { completed += 1 }
        }
        let cpu = cpuMilliseconds() - cpuStart
        let faults = pageFaults() - faultsStart
        if printing {
            print(
                "3-node chain x \(runs) sequential: \(ms(elapsed)) total (\(String(format: "%.2f", cpu)) ms CPU, \(faults) page faults), \(completed) completed")
        }
        await reportHistory(runtime, printing: printing)
        return milliseconds(elapsed)
    }

    static func smallConcurrent(runs: Int, options: FlowRuntime.Options, printing: Bool) async throws -> Double {
        let runtime = try FlowRuntime(blueprints: [chain(3)], registry: registry, options: options)
        let clock = ContinuousClock()
        var completed = 0
        let elapsed = await clock.measure {
            completed = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<runs {
                    group.addTask { (try? await runtime.run("chain").status) == .completed }
                }
                var n = 0
                for await ok in group where ok { n += 1 }
                return n
            }
        }
        if printing { print("3-node chain x \(runs) concurrent: \(ms(elapsed)) total, \(completed) completed") }
        await reportHistory(runtime, printing: printing)
        return milliseconds(elapsed)
    }

    static func ms(_ d: Duration) -> String { String(format: "%.2f ms", milliseconds(d)) }

    static func milliseconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) * 1000 + Double(atto) / 1e15
    }

    /// Minor page faults of the whole process so far (first touches of memory the heap took from
    /// the kernel): a count the VM's noise does not move.
    static func pageFaults() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_minflt
    }

    /// CPU time of the whole process (all threads), less disturbed than wall time on a busy machine.
    static func cpuMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    static func peakRSS() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "unknown" }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces)
        }
        return "unknown"
    }
}

/// A recorder that keeps nothing: the engine's cost of recording, without a store's.
struct DiscardingRecorder: RunHistoryRecorder {
    func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws {}
    func record(batches: [RunHistoryBatch]) async throws {}
}

/// A recorder that takes the runs' compact records and keeps nothing: the runs' own cost of
/// recording (no public event is built).
struct DiscardingRecordsRecorder: RecordedHistoryRecorder {
    func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws {}
    func record(recorded batches: [RecordedHistoryBatch]) async throws {}
}
