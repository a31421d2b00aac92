import Flowcraft
import Testing

@Suite("JSONValueEncoder / JSONValueDecoder")
struct JSONValueCodingTests {
    struct Line: Codable, Equatable, Sendable {
        var sku: String
        var quantity: Int
        var price: Double
        var note: String?
    }

    struct Order: Codable, Equatable, Sendable {
        enum Status: String, Codable, Sendable { case open, shipped }
        var id: Int
        var status: Status
        var lines: [Line]
        var tags: [String: Bool]
        var extra: JSONValue
        var small: UInt8
    }

    let order = Order(
        id: 7, status: .shipped,
        lines: [Line(sku: "a", quantity: 2, price: 1.5, note: nil), Line(sku: "b", quantity: 1, price: 3, note: "gift")],
        tags: ["rush": true], extra: ["any": [1, "x"]], small: 200)

    @Test func roundTripsWithoutData() throws {
        let value = try JSONValueEncoder().encode(order)
        #expect(value["id"] == 7)
        #expect(value["status"] == "shipped")
        #expect(value["lines"]?[1]?["note"] == "gift")
        #expect(value["lines"]?[0]?["note"] == nil)
        #expect(value["lines"]?[1]?["price"] == .double(3))
        let decoded = try JSONValueDecoder().decode(Order.self, from: value)
        #expect(decoded == order)
    }

    @Test func primitivesAndOptionals() throws {
        #expect(try JSONValueEncoder().encode(5) == 5)
        #expect(try JSONValueEncoder().encode([1, 2]) == [1, 2])
        #expect(try JSONValueEncoder().encode(Int?.none) == .null)
        #expect(try JSONValueDecoder().decode(Int?.self, from: .null) == nil)
        #expect(try JSONValueDecoder().decode(Double.self, from: 3) == 3.0)
        #expect(try JSONValueDecoder().decode(Int.self, from: 3.0) == 3)
    }

    @Test func decodingErrorsNameTheCodingPath() throws {
        var value = try JSONValueEncoder().encode(order)
        if case .object(var o) = value, case .array(var lines)? = o["lines"], case .object(var line) = lines[1] {
            line["quantity"] = "two"
            lines[1] = .object(line)
            o["lines"] = .array(lines)
            value = .object(o)
        }
        #expect {
            try JSONValueDecoder().decode(Order.self, from: value)
        } throws: { error in
            JSONValueDecoder.describe(error) == "at lines[1].quantity: expected an integer, found string \"two\""
        }
        #expect {
            try JSONValueDecoder().decode(Line.self, from: ["sku": "a", "price": 1])
        } throws: { error in
            JSONValueDecoder.describe(error) == "at quantity: missing required member"
        }
        #expect {
            try JSONValueDecoder().decode(UInt8.self, from: 300)
        } throws: { error in
            JSONValueDecoder.describe(error) == "at (root): 300 does not fit in UInt8"
        }
    }

    @Test func nonFiniteNumbersAreRejected() {
        #expect {
            try JSONValueEncoder().encode(["x": Double.nan])
        } throws: { error in
            JSONValueDecoder.describe(error).hasPrefix("at x: nan is not a finite number")
        }
    }
}

@Suite("TypedNode bridge")
struct TypedNodeTests {
    struct Charge: TypedNode {
        struct Input: Codable, Sendable { var amount: Int }
        struct Params: Codable, Sendable { var currency: String }
        struct Output: Codable, Sendable { var receipt: String }
        enum Action: String, Sendable { case charged, declined }

        func run(_ input: Input, params: Params, context: NodeContext) async throws -> TypedNodeResult<Output, Action> {
            TypedNodeResult(Output(receipt: "\(input.amount) \(params.currency)"), action: input.amount > 100 ? .declined : .charged)
        }
    }

    func runtime() throws -> FlowRuntime {
        var registry = NodeRegistry()
        registry.register("charge", Charge())
        registry.register("amount") { ctx in NodeResult(output: ctx.params["value"] ?? .null) }
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        let blueprint = WorkflowBlueprint(
            id: "pay",
            nodes: [NodeDefinition(id: "amount", uses: "amount", params: ["value": ["amount": 40]]),
                    NodeDefinition(id: "charge", uses: "charge", params: ["currency": "EUR"]),
                    NodeDefinition(id: "ok", uses: "echo"), NodeDefinition(id: "no", uses: "echo")],
            edges: [EdgeDefinition(source: "amount", target: "charge"),
                    EdgeDefinition(source: "charge", target: "ok", action: "charged"),
                    EdgeDefinition(source: "charge", target: "no", action: "declined")])
        let bad = WorkflowBlueprint(
            id: "bad",
            nodes: [NodeDefinition(id: "amount", uses: "amount", params: ["value": ["amount": "lots"]]),
                    NodeDefinition(id: "charge", uses: "charge", params: ["currency": "EUR"], config: NodeConfig(maxRetries: 3))],
            edges: [EdgeDefinition(source: "amount", target: "charge")])
        return try FlowRuntime(
            blueprints: [blueprint, bad], registry: registry,
            options: FlowRuntime.Options(clock: VirtualClock()))
    }

    @Test func typedNodeDecodesEncodesAndRoutesByAction() async throws {
        let result = try await runtime().run("pay")
        #expect(result.status == .completed)
        #expect(result.context["_outputs.ok"] == ["receipt": "40 EUR"])
        #expect(result.context["_outputs.no"] == nil)
    }

    @Test func inputMismatchFailsAtOnceWithThePath() async throws {
        let result = try await runtime().run("bad")
        #expect(result.status == .failed)
        #expect(result.errors.first?.attempts == 1)
        #expect(result.errors.first?.message == "input does not match Input: at amount: expected an integer, found string \"lots\"")
    }
}
