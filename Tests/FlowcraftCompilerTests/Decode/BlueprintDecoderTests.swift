import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

/// Parses and decodes one source; returns the blueprint and every parse/decode diagnostic.
private func decode(_ text: String, file: String = "dir/flow.yaml") -> (WorkflowBlueprint?, [Diagnostic]) {
    let parsed = YAMLParser().parse(text, file: file)
    var decoder = BlueprintDecoder(file: file)
    let blueprint = decoder.decode(parsed.root)
    return (blueprint, (parsed.diagnostics + decoder.diagnostics).sorted(by: Diagnostic.reportOrder))
}

private func at(_ line: Int, _ column: Int, _ file: String = "dir/flow.yaml") -> FlowcraftModel.SourceLocation {
    FlowcraftModel.SourceLocation(file: file, line: line, column: column)
}

@Suite("Blueprint decoder")
struct BlueprintDecoderTests {
    @Test func decodesEveryField() throws {
        let (bp, diagnostics) = decode("""
            id: orders
            version: 2
            description: Ship orders
            x-retry: &retry { maxRetries: 3, retryDelay: 1s }
            metadata:
              version: "1.0"
              cycleEntryPoints: [poll]
              owner: ops
            types:
              Order: { id: String, total: Double, items: "[Item]" }
              Item:
                description: One line
                fields:
                  sku: String
                  qty: { type: Int, description: count }
            implementations:
              charge: { input: Order, output: "[String: Int]?", params: Order, actions: [ok, declined], description: Charges }
              noop:
            nodes:
              - id: charge
                uses: charge
                params: { amount: 1.5, tags: [a, b], nested: { k: null } }
                inputs: { order: order, list: [a, b] }
                config:
                  <<: *retry
                  timeout: 2m
                  fallback: refund
                  joinStrategy: any
              - id: refund
                uses: refund
                inputs: order.id
              - id: nap
                uses: sleep
                params: { duration: 250ms }
            edges:
              - source: charge
                target: refund
                action: declined
                condition: "result.output.total > 10"
                transform: 'result.output'
              - { source: refund, target: nap }
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let blueprint = try #require(bp)
        #expect(blueprint.id == "orders")
        #expect(blueprint.version == "2")
        #expect(blueprint.description == "Ship orders")
        #expect(blueprint.metadata?.version == "1.0")
        #expect(blueprint.metadata?.cycleEntryPoints == ["poll"])
        #expect(blueprint.metadata?.extra["owner"] == .string("ops"))
        #expect(blueprint.types.map(\.name) == ["Order", "Item"])
        #expect(blueprint.types[0].fields.map(\.type) == [.string, .double, .array(.named("Item"))])
        #expect(blueprint.types[1].description == "One line")
        #expect(blueprint.types[1].fields.map(\.name) == ["sku", "qty"])
        #expect(blueprint.types[1].fields[1].type == .int)
        let charge = blueprint.implementations[0]
        #expect(charge.uses == "charge")
        #expect(charge.input == .named("Order"))
        #expect(charge.output == .optional(.dictionary(.int)))
        #expect(charge.actions == ["ok", "declined"])
        #expect(charge.description == "Charges")
        #expect(blueprint.implementations[1] == ImplementationDefinition(uses: "noop", location: at(18, 3)))

        #expect(blueprint.nodes.map(\.id) == ["charge", "refund", "nap"])
        let node = blueprint.nodes[0]
        #expect(node.params["amount"] == .double(1.5))
        #expect(node.params["tags"] == ["a", "b"])
        #expect(node.params["nested"] == ["k": nil])
        #expect(node.inputs == .mapping(["order": "order", "list": ["a", "b"]]))
        #expect(node.config == NodeConfig(maxRetries: 3, retryDelay: 1000, timeout: 120_000, fallback: "refund", joinStrategy: .any))
        #expect(node.location == at(20, 5))
        #expect(node.location(of: "uses") == at(21, 11))
        #expect(node.location(of: "params.amount") == at(22, 23))
        #expect(node.location(of: "config.fallback") == at(27, 17))
        #expect(node.location(of: "config.maxRetries") == at(4, 31))  // merged from the anchor
        #expect(blueprint.nodes[1].inputs == .key("order.id"))
        #expect(blueprint.nodes[2].params["duration"] == .int(250))

        #expect(blueprint.edges.count == 2)
        let edge = blueprint.edges[0]
        #expect(edge.action == "declined")
        #expect(edge.condition == "result.output.total > 10")
        #expect(edge.transform == "result.output")
        // Expressions point at their first character, past the opening quote.
        #expect(edge.location(of: "condition") == at(39, 17))
        #expect(edge.location(of: "transform") == at(40, 17))
        #expect(edge.location(of: "source") == at(36, 13))
    }

    @Test func jsonWithTabsAndEscapesDecodes() throws {
        let json = "{\n\t\"id\": \"tabbed\",\n\t\"nodes\": [\n\t\t{\"id\": \"a\", \"uses\": \"x\", \"params\": {\"url\": \"http:\\/\\/h\\u00e9\"}}\n\t]\n}\n"
        let (bp, diagnostics) = decode(json, file: "t.json")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(bp?.id == "tabbed")
        #expect(bp?.nodes.first?.params["url"] == .string("http://hé"))
    }

    @Test func extensionKeysAreIgnoredAndHoldAnchors() throws {
        let (bp, diagnostics) = decode("""
            x-defaults: &d { uses: worker, config: { maxRetries: 2 } }
            nodes:
              - { <<: *d, id: a }
              - { <<: *d, id: b, uses: other }
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(bp?.nodes.map(\.uses) == ["worker", "other"])
        #expect(bp?.nodes.map(\.config.maxRetries) == [2, 2])
    }

    @Test func idDefaultsToFileStem() throws {
        let (bp, diagnostics) = decode("nodes: [{id: a, uses: x}]\n", file: "Blueprints/order.flow.yaml")
        #expect(diagnostics.isEmpty)
        #expect(bp?.id == "order.flow")
        #expect(bp?.edges == [])
    }

    @Test func flowcraftJSONBlueprintDecodes() throws {
        let json = """
            {
              "id": "content-moderation",
              "nodes": [
                {"id": "classify", "uses": "llm-classify", "inputs": "text",
                 "config": {"maxRetries": 2, "retryDelay": 500, "timeout": 10000}},
                {"id": "publish", "uses": "publish", "inputs": {"text": "_outputs.classify"},
                 "config": {"joinStrategy": "any"}},
                {"id": "reject", "uses": "reject", "params": {"reason": "spam", "score": 0.9}}
              ],
              "edges": [
                {"source": "classify", "target": "publish", "action": "safe"},
                {"source": "classify", "target": "reject", "action": "unsafe", "condition": "result.output.score > 0.8"}
              ],
              "metadata": {"version": "3", "author": {"name": "x"}}
            }
            """
        let (bp, diagnostics) = decode(json, file: "m.json")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let blueprint = try #require(bp)
        #expect(blueprint.id == "content-moderation")
        #expect(blueprint.nodes[0].config.retryDelay == 500)
        #expect(blueprint.nodes[0].inputs == .key("text"))
        #expect(blueprint.nodes[2].params == ["reason": "spam", "score": 0.9])
        #expect(blueprint.edges[1].location(of: "condition")?.column == 82)
        #expect(blueprint.metadata?.extra["author"] == ["name": "x"])
        #expect(blueprint.effectiveVersion == "3")
    }

    @Test func unknownFieldsSuggestTheClosestName() {
        let (_, diagnostics) = decode("""
            nodse: []
            nodes:
              - id: a
                usse: x
                config: { maxRetires: 2, timout: 5s, joinStrategy: alll }
            edges:
              - { source: a, targte: a, acton: go }
            """)
        let messages = diagnostics.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.code.rawValue) \($0.message)" }
        #expect(messages == [
            "1:1 UNKNOWN_FIELD unknown field 'nodse' in blueprint; did you mean 'nodes'?",
            "3:5 MISSING_FIELD node 'a' has no 'uses'",
            "4:5 UNKNOWN_FIELD unknown field 'usse' in node; did you mean 'uses'?",
            "5:15 UNKNOWN_FIELD unknown field 'maxRetires' in config; did you mean 'maxRetries'?",
            "5:30 UNKNOWN_FIELD unknown field 'timout' in config; did you mean 'timeout'?",
            "5:56 INVALID_VALUE 'joinStrategy' must be 'all' or 'any', found 'alll'; did you mean 'all'?",
            "7:5 MISSING_FIELD edge has no 'target'",
            "7:18 UNKNOWN_FIELD unknown field 'targte' in edge; did you mean 'target'?",
            "7:29 UNKNOWN_FIELD unknown field 'acton' in edge; did you mean 'action'?",
        ])
    }

    @Test func missingFieldsAndWrongTypesAreAllReported() {
        let (bp, diagnostics) = decode("""
            id: [x]
            nodes:
              - uses: x
              - id: b
                uses: y
                params: 3
                inputs: [a]
                config: { maxRetries: -1 }
              - 7
            edges: { source: a }
            """)
        #expect(bp?.id == "flow")
        #expect(bp?.nodes.map(\.id) == ["b"])
        let found = diagnostics.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.code.rawValue)" }
        #expect(found == [
            "1:5 INVALID_VALUE", "3:5 MISSING_FIELD", "6:13 INVALID_VALUE", "7:13 INVALID_VALUE",
            "8:27 INVALID_VALUE", "9:5 INVALID_VALUE", "10:8 INVALID_VALUE",
        ])
    }

    @Test func unroutedActionsSettingIsValidated() {
        let (ok, clean) = decode("id: x\nmetadata: { unroutedActions: end }\nnodes: [{ id: a, uses: y }]\n")
        #expect(clean.isEmpty)
        #expect(ok?.metadata?.extra["unroutedActions"] == "end")
        let (_, diagnostics) = decode("id: x\nmetadata:\n  unroutedActions: ends\nnodes: [{ id: a, uses: y }]\n")
        #expect(diagnostics.map(\.code) == [.invalidValue])
        #expect(diagnostics.first?.location?.line == 3)
        #expect(diagnostics.first?.message.contains("'metadata.unroutedActions' must be 'fail' or 'end', found 'ends'") == true)
        #expect(diagnostics.first?.message.contains("end") == true)
    }

    @Test func missingNodesAndNonMappingRoot() {
        #expect(decode("id: x\n").1.map(\.code) == [.missingField])
        #expect(decode("- a\n").1.map(\.code) == [.invalidValue])
        #expect(decode("").1.map(\.code) == [.missingField])
    }

    @Test func durations() throws {
        let (bp, diagnostics) = decode("""
            nodes:
              - id: a
                uses: x
                config: { retryDelay: 1.5s, timeout: 1h }
              - id: b
                uses: x
                config: { retryDelay: soon, timeout: -5 }
              - id: c
                uses: sleep
                params: { duration: 5 parsecs }
              - id: d
                uses: wait
                params: { timeout: "2m" }
            """)
        let blueprint = try #require(bp)
        #expect(blueprint.nodes[0].config.retryDelay == 1500)
        #expect(blueprint.nodes[0].config.timeout == 3_600_000)
        #expect(blueprint.nodes[3].params["timeout"] == .int(120_000))
        #expect(diagnostics.map(\.code) == [.invalidDuration, .invalidDuration, .invalidDuration])
        #expect(diagnostics.map { $0.location?.line ?? 0 } == [7, 7, 10])
        #expect(diagnostics[0].location?.column == 27)
    }

    @Test func malformedTypePointsInsideTheString() throws {
        let (_, diagnostics) = decode("""
            types:
              T: { a: "[Int" }
            nodes: []
            """)
        let d = try #require(diagnostics.first)
        #expect(d.code == .invalidValue)
        #expect(d.location == at(2, 16))
    }

    @Test func duplicateKeysStillDecodeTheRest() {
        let (bp, diagnostics) = decode("nodes:\n  - id: a\n    uses: x\n    uses: y\n    bogus: 1\n")
        #expect(bp?.nodes.first?.uses == "x")
        #expect(diagnostics.map(\.code) == [.duplicateKey, .unknownField])
    }
}

@Suite("Durations and suggestions")
struct DurationAndSuggestionTests {
    @Test func durationSpellings() {
        #expect(DurationParser.milliseconds("250ms") == 250)
        #expect(DurationParser.milliseconds("5s") == 5000)
        #expect(DurationParser.milliseconds("2m") == 120_000)
        #expect(DurationParser.milliseconds("1h") == 3_600_000)
        #expect(DurationParser.milliseconds("0.5s") == 500)
        #expect(DurationParser.milliseconds(".5s") == 500)
        #expect(DurationParser.milliseconds("300") == 300)
        #expect(DurationParser.milliseconds(" 3 s ") == 3000)
        #expect(DurationParser.milliseconds(JSONValue.int(42)) == 42)
        for bad in ["", "s", "ms", "-1s", "1d", "1..2s", "one", "1e3", "."] {
            #expect(DurationParser.milliseconds(bad) == nil, "\(bad)")
        }
        #expect(DurationParser.milliseconds(JSONValue.int(-1)) == nil)
        #expect(DurationParser.milliseconds(JSONValue.bool(true)) == nil)
    }

    @Test func didYouMean() {
        #expect(DidYouMean.suggestion(for: "nodse", among: ["nodes", "edges"]) == "nodes")
        #expect(DidYouMean.suggestion(for: "Uses", among: ["uses", "id"]) == "uses")
        #expect(DidYouMean.suggestion(for: "zzzzzz", among: ["nodes", "edges"]) == nil)
        #expect(DidYouMean.suggestion(for: "a", among: ["b"]) == "b")
        #expect(DidYouMean.hint(for: "x", among: [String]()) == "")
    }

    @Test func aSynonymOfAConfigFieldGetsADidYouMean() {
        #expect(DidYouMean.hint(for: "retries", among: BlueprintDecoder.configFields) == "; did you mean 'maxRetries'?")
        #expect(DidYouMean.hint(for: "join", among: BlueprintDecoder.configFields) == "; did you mean 'joinStrategy'?")
        // A synonym whose field is not among the candidates suggests nothing.
        #expect(DidYouMean.hint(for: "retries", among: ["id", "uses"]) == "")
    }
}
