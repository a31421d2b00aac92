import Flowcraft

/// One engine-independent semantics check: blueprints, node implementations, an initial context,
/// follow-up steps (resume, wake, persist-and-reload, cancel) and what must hold at the end.
///
/// Engines run scenarios through a `ScenarioEngine` (`InMemoryScenarioEngine` here; the distributed
/// engine provides its own), then `verify` lists every mismatch.
package struct WorkflowScenario: Sendable, CustomStringConvertible {
    package var name: String
    package var blueprints: [WorkflowBlueprint]
    package var blueprintID: String
    /// Builds fresh implementations (and fresh probes) for each execution of the scenario.
    package var makeRegistry: @Sendable (ScenarioProbe) -> NodeRegistry
    package var context: [String: JSONValue]
    package var middleware: @Sendable (ScenarioProbe) -> [any NodeMiddleware]
    package var steps: [ScenarioStep]
    /// Cancel the run as soon as this node has started.
    package var cancelWhenStarted: String?
    package var expectation: ScenarioExpectation
    /// Size limits both engines apply to the run (`nil`: each engine's default).
    package var sizeLimits: SizeLimits?

    package init(
        _ name: String,
        blueprints: [WorkflowBlueprint],
        blueprintID: String? = nil,
        context: [String: JSONValue] = [:],
        registry: @escaping @Sendable (ScenarioProbe) -> NodeRegistry,
        middleware: @escaping @Sendable (ScenarioProbe) -> [any NodeMiddleware] = { _ in [] },
        steps: [ScenarioStep] = [],
        cancelWhenStarted: String? = nil,
        expect expectation: ScenarioExpectation
    ) {
        self.name = name
        self.blueprints = blueprints
        self.blueprintID = blueprintID ?? blueprints.first?.id ?? ""
        self.context = context
        self.makeRegistry = registry
        self.middleware = middleware
        self.steps = steps
        self.cancelWhenStarted = cancelWhenStarted
        self.expectation = expectation
    }

    package var description: String { name }

    /// Every mismatch between `outcome` and the expectation (empty when the scenario passed).
    package func verify(_ outcome: ScenarioOutcome) -> [String] {
        expectation.mismatches(outcome)
    }
}

/// What happens after the first run returned.
package enum ScenarioStep: Sendable {
    /// `resume(result, nodeID:, action:, output:)`.
    case resume(nodeID: String? = nil, action: String? = nil, output: JSONValue = .null)
    /// `wake(result)`: sleeps until the earliest sleep is due, then continues.
    case wake
    /// Encodes the result to JSON, decodes it, and continues with a brand-new runtime instance.
    case persistAndReload
    /// `redrive(result)`: a failed run runs its failed nodes again (`RedriveRules`). A refusal is
    /// recorded in the probe's log as `redrive refused: <message>` and the run is left as it was.
    case redrive
    /// Waits `milliseconds` of real time (lets what still runs in the engine after the last result
    /// reach a later point).
    case pause(milliseconds: Int)
}

/// The end state an engine reports for a scenario.
package struct ScenarioOutcome: Sendable {
    /// Result after the last step.
    package var result: WorkflowResult
    /// Results after the first run and after each step.
    package var intermediate: [WorkflowResult]
    /// Every event, in emission order, across the run and its steps.
    package var events: [WorkflowEvent]
    /// Delays requested from the runtime's clock (retry backoff, sleep waits).
    package var clockSleeps: [Int64]
    /// What the scenario's nodes and middleware recorded.
    package var probe: ScenarioProbe

    package init(
        result: WorkflowResult, intermediate: [WorkflowResult], events: [WorkflowEvent], clockSleeps: [Int64],
        probe: ScenarioProbe
    ) {
        self.result = result
        self.intermediate = intermediate
        self.events = events
        self.clockSleeps = clockSleeps
        self.probe = probe
    }
}

/// Matches an event by type, node and a subset of its payload.
package struct EventMatcher: Sendable, CustomStringConvertible {
    package var type: WorkflowEventType
    package var nodeID: String?
    package var payload: [String: JSONValue]

    package init(_ type: WorkflowEventType, _ nodeID: String? = nil, _ payload: [String: JSONValue] = [:]) {
        self.type = type
        self.nodeID = nodeID
        self.payload = payload
    }

    package func matches(_ event: WorkflowEvent) -> Bool {
        guard event.type == type else { return false }
        if let nodeID, event.nodeID != nodeID { return false }
        for (key, value) in payload where event.payload[key] != value { return false }
        return true
    }

    package var description: String {
        "\(type.rawValue)\(nodeID.map { "(\($0))" } ?? "")\(payload.isEmpty ? "" : " \(payload)")"
    }
}

/// What must hold after a scenario ran.
package struct ScenarioExpectation: Sendable {
    package var status: WorkflowStatus
    /// Keys that must have exactly these values.
    package var context: [String: JSONValue]
    /// Keys that must be absent.
    package var absentKeys: [String]
    /// Events that must occur in this order (other events may come between).
    package var eventSequence: [EventMatcher]
    /// Exact number of events matching each matcher.
    package var eventCounts: [(EventMatcher, Int)]
    /// The failing node, when `status == .failed`.
    package var failedNode: String?
    /// Text the first error must contain.
    package var errorContains: String?
    /// Further checks; return a message per problem.
    package var check: @Sendable (ScenarioOutcome) -> [String]

    package init(
        status: WorkflowStatus,
        context: [String: JSONValue] = [:],
        absentKeys: [String] = [],
        failedNode: String? = nil,
        errorContains: String? = nil,
        eventSequence: [EventMatcher] = [],
        eventCounts: [(EventMatcher, Int)] = [],
        check: @escaping @Sendable (ScenarioOutcome) -> [String] = { _ in [] }
    ) {
        self.status = status
        self.context = context
        self.absentKeys = absentKeys
        self.eventSequence = eventSequence
        self.eventCounts = eventCounts
        self.failedNode = failedNode
        self.errorContains = errorContains
        self.check = check
    }

    func mismatches(_ outcome: ScenarioOutcome) -> [String] {
        var problems: [String] = []
        let result = outcome.result
        if result.status != status {
            problems.append("status \(result.status.rawValue), expected \(status.rawValue); errors: \(result.errors)")
        }
        for (key, value) in context.sorted(by: { $0.key < $1.key }) where result.context[key] != value {
            problems.append("context[\(key)] = \(result.context[key].map { "\($0)" } ?? "absent"), expected \(value)")
        }
        for key in absentKeys where result.context[key] != nil {
            problems.append("context[\(key)] should be absent, is \(result.context[key].map { "\($0)" } ?? "")")
        }
        var position = 0
        for matcher in eventSequence {
            guard let found = outcome.events[position...].firstIndex(where: matcher.matches) else {
                problems.append("event \(matcher) not found (in order) after event #\(position)")
                break
            }
            position = found + 1
        }
        for (matcher, count) in eventCounts {
            let actual = outcome.events.filter(matcher.matches).count
            if actual != count { problems.append("\(actual) events \(matcher), expected \(count)") }
        }
        if let failedNode, result.errors.first?.nodeID != failedNode {
            problems.append("failed node \(result.errors.first?.nodeID ?? "none"), expected \(failedNode)")
        }
        if let errorContains, !(result.errors.first?.message.contains(errorContains) ?? false) {
            problems.append("first error \(result.errors.first?.message ?? "none") lacks '\(errorContains)'")
        }
        problems += check(outcome)
        return problems
    }
}

/// A scenario engine: runs a scenario from scratch and reports the outcome.
package protocol ScenarioEngine: Sendable {
    func execute(_ scenario: WorkflowScenario) async throws -> ScenarioOutcome
}
