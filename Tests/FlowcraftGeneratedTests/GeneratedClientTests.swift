import Flowcraft
import Testing

// Exercises the generated typed clients (`start(reviewFlow:)`, `TypedRunHandle`, the wait-node
// action enums and typed `resume` overloads) through the engine-independent `WorkflowStarting`
// protocol, here backed by the in-memory runtime. The Redis `WorkflowClient` conforms to the same
// protocol (FlowcraftRedisTests and the example app run these calls against Redis).

struct PrepareDraft: PrepareDraftNode {
    func run(input: Draft, params: [String: JSONValue], context: NodeContext) async throws -> Draft {
        Draft(title: input.title.prefix(1).uppercased() + input.title.dropFirst(), words: input.words)
    }
}

struct DecideDraft: DecideDraftNode {
    func run(input: Draft, params: [String: JSONValue], context: NodeContext) async throws -> Verdict {
        Verdict(title: input.title, published: params["publish"] == true)
    }
}

struct ReportVerdict: ReportVerdictNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> String {
        let branch = input["published"] == nil || input["published"] == .null ? input["archived"] : input["published"]
        let verdict = try JSONValueDecoder().decode(Verdict.self, from: branch ?? .null)
        return "\(verdict.title): \(verdict.published ? "published" : "archived")"
    }
}

/// `WorkflowStarting` over a `FlowRuntime`: each run is kept as its latest `WorkflowResult`.
actor InMemoryWorkflows: WorkflowStarting {
    let runtime: FlowRuntime
    private var runs: [String: WorkflowResult] = [:]

    init(runtime: FlowRuntime) { self.runtime = runtime }

    func startRun(blueprintID: String, context: [String: JSONValue], runID: String?) async throws -> String {
        let result = try await runtime.run(blueprintID, context: context, runID: runID)
        runs[result.runID] = result
        return result.runID
    }

    func runState(_ runID: String) async throws -> WorkflowRunState? {
        runs[runID].map(Self.state)
    }

    func awaitRun(_ runID: String, timeout: Duration, returnWhenAwaiting: Bool) async throws -> WorkflowRunState {
        guard let run = runs[runID] else { throw TypedRunError.unknownRun(runID: runID) }
        return Self.state(run)
    }

    func resumeRun(_ runID: String, nodeID: String?, action: String?, output: JSONValue) async throws {
        guard let run = runs[runID] else { throw TypedRunError.unknownRun(runID: runID) }
        runs[runID] = try await runtime.resume(run, nodeID: nodeID, action: action, output: output)
    }

    static func state(_ run: WorkflowResult) -> WorkflowRunState {
        let status: WorkflowRunState.Status
        switch run.status {
        case .completed: status = .completed
        case .failed: status = .failed
        case .awaiting: status = .awaiting
        case .cancelled: status = .cancelled
        }
        return WorkflowRunState(
            status: status, context: run.context, reason: run.errors.first?.message, nodeID: run.errors.first?.nodeID)
    }
}

@Suite("Generated typed clients and typed waits")
struct GeneratedClientTests {
    let draft = Draft(title: "hello", words: 300)

    @Test func typedStartAndTypedResumeReturnTheTerminalNodesTypedOutput() async throws {
        let workflows = InMemoryWorkflows(runtime: try makeRuntime())
        let run = try await workflows.start(reviewFlow: draft)
        #expect(run.outputNode == "report")
        #expect(try await run.status().status == .awaiting)
        await #expect(throws: TypedRunError.awaiting(runID: run.runID)) { try await run.result() }
        try await run.resume(approval: .approve)
        let report: String = try await run.result()
        #expect(report == "Hello: published")
    }

    @Test func typedResumeOnTheClientUsesTheActionsRawValue() async throws {
        let workflows = InMemoryWorkflows(runtime: try makeRuntime())
        let run = try await workflows.start(reviewFlow: ["draft": ["title": "notes", "words": 12]])
        try await workflows.resume(run.runID, approval: .sendBack)
        #expect(ReviewFlowApprovalAction.sendBack.rawValue == "send-back")
        #expect(ReviewFlowApprovalAction.allCases.map(\.rawValue) == ["approve", "send-back"])
        #expect(try await run.result() == "Notes: archived")
    }

    @Test func typedResumeOnTheInMemoryRuntime() async throws {
        let runtime = try makeRuntime()
        let paused = try await runtime.run(reviewFlow: draft)
        #expect(paused.status == .awaiting)
        let resumed = try await runtime.resume(paused, approval: .approve)
        #expect(resumed.status == .completed, "\(resumed.errors)")
        #expect(resumed.context["_outputs.report"] == "Hello: published")
    }

    @Test func aMisspeltStringActionIsARuntimeErrorNamingTheRoutedActions() async throws {
        let workflows = InMemoryWorkflows(runtime: try makeRuntime())
        let run = try await workflows.start(reviewFlow: draft)
        do {
            try await run.resume(nodeID: "approval", action: "aprove")
            Issue.record("an unrouted action was accepted")
        } catch {
            #expect("\(error)".contains("aprove"), "\(error)")
            #expect("\(error)".contains("approve"), "\(error)")
        }
        #expect(try await run.status().status == .awaiting)
    }

    @Test func severalTerminalNodesMakeTheResultTheFinalContext() async throws {
        let workflows = InMemoryWorkflows(runtime: try makeRuntime())
        let order = Order(id: "A-9", total: 3, lines: [OrderLine(sku: "cup", quantity: 1)], tags: [:])
        let run = try await workflows.start(typedOrders: order)
        #expect(run.outputNode == nil)
        let context: [String: JSONValue] = try await run.result()
        #expect(context["_outputs.confirm"] == "A-9: 3.0 charged")
    }

    @Test func aFailedRunThrowsNamingTheNode() async throws {
        let workflows = InMemoryWorkflows(runtime: try makeRuntime())
        let run = try await workflows.start(typedOrders: ["order": "not an order"])
        do {
            _ = try await run.result()
            Issue.record("a failed run returned a result")
        } catch let error as TypedRunError {
            guard case .unsuccessful(_, .failed, _, let node) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(node == "check")
        }
    }
}
