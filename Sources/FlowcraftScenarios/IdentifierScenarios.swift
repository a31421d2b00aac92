import Flowcraft

/// Node ids compare one way in every engine: as Unicode NFC (`IdentifierNormalization`).
package enum IdentifierScenarios {
    private typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] { [canonicallyEqualNodeIDs] }

    /// `café` written precomposed (U+00E9).
    static let cafeComposed = "caf\u{E9}"
    /// `café` written decomposed (`e` + U+0301).
    static let cafeDecomposed = "cafe\u{301}"
    static let reserveComposed = "r\u{E9}serve"
    static let reserveDecomposed = "re\u{301}serve"

    package static let canonicallyEqualNodeIDs = WorkflowScenario(
        "a node id written precomposed and referenced decomposed names the same node (NFC everywhere)",
        blueprints: [B.blueprint(
            "unicode-ids",
            nodes: [B.node(cafeComposed, "const", params: ["value": ["n": 7]]),
                    B.node("next", inputs: .key("_outputs." + cafeDecomposed)),
                    B.node("pick", inputs: .mapping(["n": .string(cafeDecomposed + ".n")])),
                    B.node("flaky", "fail", config: NodeConfig(fallback: reserveDecomposed)),
                    B.node(reserveComposed, "const", params: ["value": "spare"]),
                    B.node("end", inputs: .key("_outputs." + reserveDecomposed))],
            edges: [B.edge(cafeDecomposed, "next"),
                    B.edge("next", "pick", condition: "context[\"_outputs.\(cafeDecomposed)\"].n == 7"),
                    B.edge("pick", "flaky"), B.edge("flaky", "end")])],
        registry: { B.registry($0, ["fail": { _ in throw ScenarioFailure("boom") }]) },
        expect: ScenarioExpectation(
            status: .completed,
            context: ["_outputs.next": ["n": 7], "_outputs.pick": ["n": 7], "_outputs.end": "spare"],
            eventCounts: [(EventMatcher(.nodeStart, "end"), 1)],
            check: { outcome in
                // Context keys and event node ids are NFC bytes, whichever form the blueprint used.
                var problems: [String] = []
                let keys = outcome.result.context.keys.map { Array($0.utf8) }
                for wanted in ["_outputs." + cafeComposed, "_outputs." + reserveComposed] {
                    let count = keys.filter { $0 == Array(wanted.utf8) }.count
                    if count != 1 { problems.append("context key '\(wanted)' in NFC bytes found \(count) times") }
                }
                for decomposed in [cafeDecomposed, reserveDecomposed] {
                    if outcome.result.context.keys.contains(where: { $0.utf8.elementsEqual(("_outputs." + decomposed).utf8) }) {
                        problems.append("a context key holds the decomposed id '\(decomposed)'")
                    }
                    if outcome.events.contains(where: { $0.nodeID.map { $0.utf8.elementsEqual(decomposed.utf8) } ?? false }) {
                        problems.append("an event names the decomposed id '\(decomposed)'")
                    }
                }
                return problems
            }))
}
