import Flowcraft
import Testing

// Exercises the golden generated code (Generated/, checked by GoldenFileTests) against the
// in-memory runtime: typed bridging, routed actions, fallbacks, entry points, source locations.

struct CheckOrder: CheckOrderNode {
    func run(input: Order, params: [String: JSONValue], context: NodeContext) async throws -> CheckOrderResult {
        input.lines.isEmpty || input.total <= 0 ? .reject(input) : .accept(input)
    }
}

struct ChargeOnline: ChargeNode {
    struct OverLimit: Error {}
    func run(input: Order, params: ChargeParams, context: NodeContext) async throws -> Charge {
        if let limit = params.limit, input.total > limit { throw OverLimit() }
        return Charge(orderId: input.id, amount: input.total, approved: true)
    }
}

struct ChargeByHand: ChargeByHandNode {
    func run(input: Order, params: [String: JSONValue], context: NodeContext) async throws -> Charge {
        Charge(orderId: input.id, amount: input.total, approved: false)
    }
}

struct Confirm: ConfirmNode {
    func run(input: Charge, params: [String: JSONValue], context: NodeContext) async throws -> String {
        "\(input.orderId): \(input.amount) \(input.approved ? "charged" : "queued by hand")"
    }
}

struct Echo: _2faNode, DefaultNode, GrößePrüfenNode, LlmProcessNode, RefuseOrderNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["node": .string(context.nodeID), "input": input]
    }
}

struct Route: ClassNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> ClassResult {
        .needsReview(input)
    }
}

func makeRuntime() throws -> FlowRuntime {
    let nodes = FlowcraftNodes(
        _2fa: Echo(), charge: ChargeOnline(), chargeByHand: ChargeByHand(), checkOrder: CheckOrder(),
        class: Route(), confirm: Confirm(), decideDraft: DecideDraft(), default: Echo(), größePrüfen: Echo(),
        llmProcess: Echo(), prepareDraft: PrepareDraft(), refuseOrder: Echo(), reportVerdict: ReportVerdict())
    return try FlowRuntime(
        blueprints: FlowcraftWorkflows.all, registry: nodes.nodeRegistry(),
        options: FlowRuntime.Options(retryBackoff: RetryBackoff(jitter: 0)))
}

let fixture = "Tests/FlowcraftCompilerTests/Fixtures/Codegen/typed-orders.yaml"

@Suite("Generated code against the runtime")
struct GeneratedCodeTests {
    @Test func typedEntryPointRunsTheAcceptedBranch() async throws {
        let order = Order(id: "A-1", total: 12.5, lines: [OrderLine(sku: "mug", quantity: 1)], tags: [:])
        let result = try await makeRuntime().run(typedOrders: order)
        #expect(result.status == .completed, "\(result.errors)")
        #expect(result.context["_outputs.confirm"] == .string("A-1: 12.5 charged"))
        #expect(result.context["_outputs.refuse"] == nil)
    }

    @Test func actionsRouteByTheirRawValue() async throws {
        let order = Order(id: "A-2", total: 0, lines: [], tags: ["gift": "yes"])
        let result = try await makeRuntime().run(typedOrders: order)
        #expect(result.status == .completed)
        #expect(result.context["_outputs.refuse"]?["node"] == .string("refuse"))
        #expect(result.context["_outputs.charge"] == nil)
    }

    @Test func fallbackTakesOverWithTheSameTypes() async throws {
        let order = Order(id: "A-3", total: 5000, lines: [OrderLine(sku: "sofa", quantity: 1)], tags: [:])
        let result = try await makeRuntime().run(typedOrders: order)
        #expect(result.status == .completed, "\(result.errors)")
        #expect(result.context["_outputs.confirm"] == .string("A-3: 5000.0 queued by hand"))
    }

    @Test func mistypedInputFailsAtOnceNamingNodeTypeAndYAMLLine() async throws {
        let result = try await makeRuntime().run(typedOrders: ["order": "not an order"])
        #expect(result.status == .failed)
        let error = try #require(result.errors.first)
        #expect(error.nodeID == "check")
        #expect(error.message.contains("Order"))
        #expect(error.location == SourceLocation(file: fixture, line: 23, column: 5))
        #expect(error.attempts <= 1)
    }

    @Test func keysThatAreNotIdentifiersStillRun() async throws {
        let result = try await makeRuntime().run(oddKeys: ["mode": "fast"])
        #expect(result.status == .completed, "\(result.errors)")
        #expect(result.context["_outputs.größe"]?["node"] == .string("größe"))
        #expect(ClassAction.needsReview.rawValue == "needs-review")
        #expect(ClassAction.allCases.map(\.rawValue).sorted() == ["default", "needs-review", "needs_later"])
    }

    @Test func embeddedBlueprintsKeepTheirSourceLocations() {
        #expect(FlowcraftWorkflows.all.map(\.id) == ["odd-keys", "review-flow", "typed-orders"])
        let charge = FlowcraftWorkflows.typedOrders.nodes.first { $0.id == "charge" }
        #expect(charge?.location == SourceLocation(file: fixture, line: 26, column: 5))
        #expect(charge?.config == NodeConfig(maxRetries: 2, retryDelay: 10, fallback: "by-hand"))
        #expect(charge?.params == ["currency": "EUR", "limit": 1000])
        #expect(FlowcraftWorkflows.oddKeys.nodes.first { $0.id == "größe" }?.params["note"] == .string("quote \" backslash \\ tab\t"))
    }
}
