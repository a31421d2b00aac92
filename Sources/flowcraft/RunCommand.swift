import ArgumentParser
import Flowcraft
import FlowcraftCompiler
import FlowcraftSQLite
import Foundation

/// `flowcraft run PATH`: runs a blueprint on the in-memory engine. Built-in nodes run for real;
/// user nodes are simulated (`--simulate`): each returns its input, `--action` sets the action it
/// returns, `--fail` makes it throw and `--dynamic` makes it return dynamic nodes, so routing, retries,
/// fallbacks and dynamic nodes can be rehearsed.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a blueprint in memory, simulating user nodes.",
        discussion: """
            PATH is a blueprint file or a directory; blueprints in the same directory are loaded too, so \
            subflows resolve. Sleeps advance a virtual clock unless --real-time is given. With --simulate a \
            `wait` node is answered at once with its --action (or none); without, the run stops awaiting. \
            --dynamic NODE=COUNT makes simulated node NODE return COUNT dynamic nodes NODE-d1…NODE-dCOUNT, which \
            run before NODE routes; each runs NODE's `uses`, simulated too, and returns its input {"index": I, \
            "count": COUNT, "spawnerOutput": <NODE's output>}, which lands at _outputs.NODE-dI. \
            Exit status: 0 completed or awaiting, 1 failed or cancelled, 2 usage, I/O or blueprint errors.
            """
    )

    @Argument(help: "A blueprint file or a directory of blueprints.")
    var path: String

    @Option(help: "The id of the blueprint to run (default: the blueprint of PATH, or the only one).")
    var blueprint: String?

    @Option(help: "Initial context: a JSON object, or @FILE holding one.")
    var context: String?

    @Flag(help: "Print {status, context, events, errors} as JSON instead of a run log.")
    var json = false

    @Flag(help: "Simulate user nodes: each returns its input.")
    var simulate = false

    @Option(name: .customLong("action"), help: "NODE=ACTION: the action a simulated node (or a wait node) returns (default, when its edges are all labelled: the first action they route). Repeatable.")
    var actions: [String] = []

    @Option(name: .customLong("output"), help: "NODE=JSON: the output a simulated node returns instead of its input. Repeatable.")
    var outputs: [String] = []

    @Option(
        name: .customLong("fail"),
        help: "NODE[=N]: the first N attempts of each execution of simulated node NODE throw (default: every attempt). Repeatable.")
    var failures: [String] = []

    @Option(
        name: .customLong("dynamic"),
        help: ArgumentHelp(
            "NODE=COUNT: the simulated node returns COUNT (1…\(SimulatedDynamicNodes.maximumCount)) dynamic nodes NODE-d1…NODE-dCOUNT. Repeatable.",
            valueName: "node=count"))
    var dynamic: [String] = []

    @Option(parsing: .unconditional, help: "Most nodes in flight at once (1…1024).")
    var concurrency: Int = 16

    @Flag(help: "Really wait for sleep nodes and retry delays.")
    var realTime = false

    @Option(
        name: .customLong("history"),
        help: ArgumentHelp(
            "Record the run (and its child runs) into this SQLite run history file, created when missing: `runs`, `inspect`, `graph --run` and `replay` read it with --db FILE.",
            valueName: "file"))
    var historyPath: String?

    func validate() throws {
        try OptionBounds.check(concurrency, in: OptionBounds.concurrency, option: "--concurrency")
        // SQLite would record into a temporary database of its own, deleted at exit.
        if historyPath?.isEmpty == true { throw ValidationError("--history needs a file path (got an empty one)") }
        // The values' own form is checked here, so that a mistake prints this command's usage line.
        _ = try NodeSimulation.pairs(actions, option: "--action")
        _ = try NodeSimulation.failures(failures)
        _ = try Self.outputValues(outputs)
        _ = try Self.parseContext(context)
    }

    /// `--output NODE=JSON` values by node.
    static func outputValues(_ outputs: [String]) throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for (node, text) in try NodeSimulation.pairs(outputs, option: "--output") {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
                throw ValidationError("--output \(node)=…: not valid JSON")
            }
            values[node] = value
        }
        return values
    }

    func run() async throws {
        let actionMap = try NodeSimulation.pairs(actions, option: "--action")
        let failMap = try NodeSimulation.failures(failures)
        let initial = try Self.parseContext(context)
        let outputMap = try Self.outputValues(outputs)

        let (blueprints, selected) = try loadBlueprints()
        try NodeSimulation.checkNodeNames(actionMap.keys, option: "--action", in: blueprints)
        try NodeSimulation.checkNodeNames(outputMap.keys, option: "--output", in: blueprints)
        try NodeSimulation.checkNodeNames(failMap.keys, option: "--fail", in: blueprints)
        let needed = Self.userKeys(of: selected, in: blueprints)
        if !simulate && !needed.isEmpty {
            StandardStreams.error(
                "error: '\(selected)' uses user nodes (\(needed.sorted().joined(separator: ", "))) that the CLI cannot run; pass --simulate\n")
            throw ExitCode(2)
        }
        if !simulate && !dynamic.isEmpty { throw ValidationError("--dynamic needs --simulate") }
        // Simulating, a node (or wait) whose edges are all labelled returns the first action they route
        // unless --action says otherwise: an action no edge routes would fail the run (NO_ROUTE).
        let simulatedActions = simulate ? NodeSimulation.actions(given: actionMap, for: blueprints) : actionMap
        let simulation = NodeSimulation(
            actions: simulatedActions, outputs: outputMap, failures: failMap,
            dynamicNodes: try SimulatedDynamicNodes.parse(dynamic, blueprints: blueprints))
        let registry = simulation.registry(for: blueprints)

        let log = RunLog(json: json)
        var history: SQLiteRunHistory?
        if let historyPath {
            do {
                history = try await SQLiteRunHistory(path: historyPath)
            } catch {
                StandardStreams.error("error: --history: \(error)\n")
                throw ExitCode(2)
            }
        }
        let runtime: FlowRuntime
        do {
            runtime = try FlowRuntime(
                blueprints: blueprints, registry: registry,
                options: FlowRuntime.Options(
                    eventHandler: { log.handle($0) }, concurrency: concurrency,
                    // The virtual clock starts now: recorded history shows when the run happened
                    // (its sleeps and retry delays still take no time).
                    clock: realTime ? SystemClock() : VirtualClock(startingAt: SystemClock().now()), history: history))
        } catch {
            StandardStreams.error("\(error)\n")
            throw ExitCode(2)
        }

        var result = try await runtime.run(selected, context: initial)
        while result.status == .awaiting {
            if result.nextWakeAt != nil {
                result = try await runtime.wake(result)
            } else if let paused = Self.waitNodes(result).first(where: { simulate || actionMap[$0] != nil }) {
                // Simulating: a wait is answered at once, with the --action given for it (if any).
                result = try await runtime.resume(result, nodeID: paused, action: simulatedActions[paused])
            } else {
                break
            }
        }
        // Everything the run handed over is in the file before the command exits: the file itself,
        // not only its write-ahead log (a copy of the file alone holds the history).
        if let history {
            await runtime.flushHistory()
            do {
                try await history.checkpoint()
            } catch {
                StandardStreams.error("warning: --history: the write-ahead log was not copied into \(historyPath ?? ""): \(error)\n")
            }
        }
        log.finish(result)
        if result.status == .failed || result.status == .cancelled { throw ExitCode(1) }
    }

    /// Compiles PATH — with its directory when PATH is a file, so subflows in sibling files resolve
    /// — and returns the blueprints and the id to run. Errors in PATH's own file stop the run.
    private func loadBlueprints() throws -> ([WorkflowBlueprint], String) {
        guard let files = BlueprintFileSet(path: path) else {
            StandardStreams.error("error: no such file or directory: \(path)\n")
            throw ExitCode(2)
        }
        let result = files.result
        let own = files.own.map(\.blueprint)
        let isDirectory = files.isDirectory
        if isDirectory && (result.hasErrors || result.hasIOErrors) {
            StandardStreams.error(DiagnosticRenderer.text(result.diagnostics))
            throw ExitCode(2)
        }
        if !isDirectory {
            // Errors in PATH's own file stop the run; a broken sibling does not.
            let ownErrors = files.diagnostics.filter { $0.severity == .error }
            if !ownErrors.isEmpty {
                StandardStreams.error(DiagnosticRenderer.text(ownErrors))
                throw ExitCode(2)
            }
            if own.isEmpty {
                StandardStreams.error("error: \(path) holds no blueprint\n")
                throw ExitCode(2)
            }
        }
        let blueprints = result.blueprints
        let selected: String
        if let blueprint {
            guard blueprints.contains(where: { $0.id == blueprint }) else {
                throw ValidationError("no blueprint '\(blueprint)' in \(path) (found: \(own.map(\.id).joined(separator: ", ")))")
            }
            selected = blueprint
        } else if let first = own.first, own.count == 1 || !isDirectory {
            selected = first.id
        } else {
            throw ValidationError(
                "\(path) holds several blueprints; choose one with --blueprint (\(own.map(\.id).joined(separator: ", ")))")
        }
        return (blueprints, selected)
    }

    /// User `uses` keys (batch worker keys included) of a blueprint and the subflows it calls, transitively.
    static func userKeys(of id: String, in blueprints: [WorkflowBlueprint]) -> Set<String> {
        var byID: [String: WorkflowBlueprint] = [:]
        for b in blueprints { byID[b.id] = b }
        var keys: Set<String> = []
        var visited: Set<String> = []
        var work = [id]
        while let next = work.popLast() {
            guard visited.insert(next).inserted, let blueprint = byID[next] else { continue }
            for node in blueprint.nodes {
                keys.formUnion(NodeSimulation.userKeys(of: node))
                if node.uses == BuiltinNode.subflow.rawValue, let child = node.params["blueprintId"]?.stringValue {
                    work.append(child)
                }
            }
        }
        return keys
    }

    static func waitNodes(_ result: WorkflowResult) -> [String] {
        var ids: [String] = []
        func collect(_ snapshot: RunSnapshot) {
            for item in snapshot.scheduler.awaiting {
                if item.reason == .wait { ids.append(item.nodeID) }
                if item.reason == .subflow, let child = snapshot.children[item.nodeID] { collect(child) }
            }
        }
        if let snapshot = result.snapshot { collect(snapshot) }
        return ids
    }

    /// The decoder's own account of a JSON error, without the Swift type dump.
    static func jsonProblem(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError.map { "\($0.localizedDescription)" }) ?? context.debugDescription
        }
        return "\(error)"
    }

    static func parseContext(_ text: String?) throws -> [String: JSONValue] {
        guard let text else { return [:] }
        let data: Data
        if text.hasPrefix("@") {
            let file = String(text.dropFirst())
            guard let contents = FileManager.default.contents(atPath: file) else {
                StandardStreams.error("error: cannot read context file '\(file)'\n")
                throw ExitCode(2)
            }
            data = contents
        } else {
            data = Data(text.utf8)
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ValidationError("--context is not valid JSON (or nested too deeply): \(Self.jsonProblem(error))")
        }
        guard case .object(let object) = value else {
            throw ValidationError("--context must be a JSON object (or @FILE holding one)")
        }
        return object
    }
}

/// Collects events; prints a readable log as they come (with a progress line every 1 000 nodes),
/// or everything as one JSON document at the end.
final class RunLog: Sendable {
    private let json: Bool
    private let state = PthreadMutex((events: [JSONValue](), finished: 0))

    init(json: Bool) { self.json = json }

    func handle(_ event: WorkflowEvent) {
        if json {
            state.withLock { $0.events.append(event.jsonValue) }
            return
        }
        let finished = state.withLock { s -> Int in
            if event.type == .nodeFinish { s.finished += 1 }
            return s.finished
        }
        if let line = Self.line(event) { StandardStreams.output(line + "\n") }
        if event.type == .nodeFinish && finished % 1000 == 0 {
            StandardStreams.error("… \(finished) nodes finished\n")
        }
    }

    func finish(_ result: WorkflowResult) {
        if json {
            let document: JSONValue = [
                "runId": .string(result.runID),
                "status": .string(result.status.rawValue),
                "context": .object(result.context),
                "events": .array(state.withLock { $0.events }),
                "errors": .array(result.errors.map { .string($0.description) }),
                "awaiting": .array(result.awaiting.map { .string($0.nodeID) }),
            ]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
            StandardStreams.output(String(decoding: data, as: UTF8.self) + "\n")
            return
        }
        for error in result.errors { StandardStreams.error("\(error)\n") }
        var summary = "run \(result.runID): \(result.status.rawValue)"
        if !result.awaiting.isEmpty { summary += " (paused at \(result.awaiting.map(\.nodeID).joined(separator: ", ")))" }
        StandardStreams.output(summary + "\n")
    }

    static func line(_ event: WorkflowEvent) -> String? {
        let node = event.nodeID ?? ""
        let p = event.payload
        switch event.type {
        case .nodeStart: return "start    \(node)"
        case .nodeFinish:
            return "finish   \(node)" + (p["action"]?.stringValue.map { " -> \($0)" } ?? "")
        case .nodeError:
            let retry = p["willRetry"] == true ? " (will retry)" : ""
            return "error    \(node): \(p["error"]?.stringValue ?? "")\(retry)"
        case .nodeRetry: return "retry    \(node) attempt \(p["attempt"]?.intValue ?? 0) after \(p["delayMs"]?.intValue ?? 0) ms"
        case .nodeFallback: return "fallback \(node) -> \(p["fallback"]?.stringValue ?? "")"
        case .nodeSkipped: return "skip     \(node)"
        case .workflowPause:
            return "pause    awaiting \(p["awaiting"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? "")"
        case .workflowResume: return "resume"
        case .batchStart: return "batch    \(node): \(p["workerNodeIds"]?.arrayValue?.count ?? 0) items"
        default: return nil
        }
    }
}
