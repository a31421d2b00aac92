import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

/// Node ids and every reference to one are decoded in Unicode NFC, so the engines (Swift compares
/// canonically, Redis compares bytes) agree on which node a reference names.
@Suite("Node id normalization")
struct IdentifierNormalizationTests {
    static let composed = "caf\u{E9}"
    static let decomposed = "cafe\u{301}"

    private func bytes(_ text: String?) -> [UInt8] { Array((text ?? "").utf8) }

    @Test("the decoder puts node ids and every reference (edges, fallback, inputs, cycle entries, built-in params) in NFC")
    func decoderNormalizesEveryReference() throws {
        let d = Self.decomposed
        let c = Self.composed
        let yaml = """
            id: "fl\u{6F}\u{308}w"
            metadata: { cycleEntryPoints: ["\(d)"] }
            nodes:
              - { id: "\(c)", uses: work, config: { fallback: "spare-\(d)" }, inputs: "_outputs.\(d)" }
              - { id: "spare-\(c)", uses: work, inputs: { a: "\(d).x", b: ["\(d)", plain] } }
              - { id: scatter, uses: batch-scatter, params: { workerUsesKey: w, gatherNodeId: "g-\(d)" } }
              - { id: "g-\(c)", uses: batch-gather, params: { gatherNodeId: "g-\(d)" } }
              - { id: sub, uses: subflow, params: { blueprintId: "fl\u{6F}\u{308}w" } }
            edges:
              - { source: "\(d)", target: scatter, condition: 'context["_outputs.\(d)"] != null' }
              - { source: scatter, target: "g-\(d)" }
              - { source: "g-\(d)", target: "\(c)" }
            """
        let result = BlueprintCompiler().compile(sources: [("flow.yaml", yaml)])
        let blueprint = try #require(result.blueprints.first)
        #expect(bytes(blueprint.id) == bytes("fl\u{F6}w"))
        let nodes = blueprint.nodes
        #expect(bytes(nodes[0].id) == bytes(c))
        #expect(bytes(nodes[0].config.fallback) == bytes("spare-" + c))
        #expect(nodes[0].inputs.map { if case .key(let k) = $0 { bytes(k) == bytes("_outputs." + c) } else { false } } == true)
        if case .mapping(let mapping)? = nodes[1].inputs {
            #expect(bytes(mapping["a"]?.stringValue) == bytes(c + ".x"))
            #expect(bytes(mapping["b"]?.arrayValue?.first?.stringValue) == bytes(c))
        } else {
            Issue.record("inputs of node 1: \(String(describing: nodes[1].inputs))")
        }
        #expect(bytes(nodes[2].params["gatherNodeId"]?.stringValue) == bytes("g-" + c))
        #expect(bytes(nodes[3].params["gatherNodeId"]?.stringValue) == bytes("g-" + c))
        #expect(bytes(nodes[4].params["blueprintId"]?.stringValue) == bytes("fl\u{F6}w"))
        #expect(bytes(blueprint.edges[0].source) == bytes(c))
        #expect(bytes(blueprint.edges[0].condition) == bytes("context[\"_outputs.\(c)\"] != null"))
        #expect(bytes(blueprint.edges[1].target) == bytes("g-" + c))
        #expect(bytes(blueprint.edges[2].target) == bytes(c))
        #expect(blueprint.metadata?.cycleEntryPoints.map(bytes) == [bytes(c)])
        #expect(!result.diagnostics.contains { $0.code == .invalidEdgeSource || $0.code == .invalidEdgeTarget || $0.code == .invalidFallback },
                "\(result.diagnostics)")
    }

    @Test("two node ids that differ only in normalization are one id: DUPLICATE_NODE_ID")
    func canonicallyEqualIDsAreDuplicates() {
        let diagnostics = ValidationFixtures.diagnostics("""
            id: f
            nodes:
              - { id: "\(Self.composed)", uses: work }
              - { id: "\(Self.decomposed)", uses: work }
            edges:
              - { source: "\(Self.composed)", target: "\(Self.decomposed)" }
            """)
        #expect(ValidationFixtures.findings(.duplicateNodeID, in: diagnostics).count == 1, "\(diagnostics)")
    }

    @Test("IdentifierNormalization.nfc composes, keeps ASCII and NFC text as they are")
    func nfcFunction() {
        #expect(bytes(IdentifierNormalization.nfc(Self.decomposed)) == bytes(Self.composed))
        #expect(bytes(IdentifierNormalization.nfc(Self.composed)) == bytes(Self.composed))
        #expect(IdentifierNormalization.nfc("plain-ascii_1") == "plain-ascii_1")
        #expect(IdentifierNormalization.isNFC(Self.composed))
        #expect(!IdentifierNormalization.isNFC(Self.decomposed))
        // Hangul jamo compose too; singletons (U+212B ANGSTROM SIGN) map to their canonical form.
        #expect(bytes(IdentifierNormalization.nfc("\u{1100}\u{1161}")) == bytes("\u{AC00}"))
        #expect(bytes(IdentifierNormalization.nfc("\u{212B}")) == bytes("\u{C5}"))
    }
}
