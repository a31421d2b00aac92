import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

/// `FALLBACK_EDGE_INTO_JOIN`: a fallback node with an edge of its own into an `all` join.
@Suite("Fallback edges into joins")
struct FallbackJoinRuleTests {
    @Test("a fallback's own edge into an all join is a warning at that edge, explaining what happens")
    func fallbackEdgeIntoJoinWarns() {
        let diagnostics = ValidationFixtures.diagnostics("""
            id: f
            nodes:
              - { id: start, uses: work }
              - { id: charge, uses: work, config: { fallback: manual } }
              - { id: other, uses: work }
              - { id: manual, uses: work }
              - { id: join, uses: work }
            edges:
              - { source: start, target: charge }
              - { source: start, target: other }
              - { source: charge, target: join }
              - { source: other, target: join }
              - { source: manual, target: join }
            """)
        let d = expectSingle(.fallbackEdgeIntoJoin, .warning, line: 13, column: 5, in: diagnostics, containing: "'manual'")
        let message = d?.message ?? ""
        #expect(message.contains("(of 'charge')"))
        #expect(message.contains("counts as a dead predecessor of 'join'"))
        #expect(message.contains("arrives along 'charge''s edges and along its own"))
        #expect(message.contains("waits for 'manual' or for 'charge''s success"))
        #expect(!message.contains("resolve once"))
        #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics)")
    }

    @Test("a fallback shared by several nodes: the warning says its own edges resolve once")
    func sharedFallbackResolvesOnce() {
        let diagnostics = ValidationFixtures.diagnostics("""
            id: f
            nodes:
              - { id: start, uses: work }
              - { id: a, uses: work, config: { fallback: spare } }
              - { id: b, uses: work, config: { fallback: spare } }
              - { id: spare, uses: work }
              - { id: join, uses: work, config: { joinStrategy: all } }
            edges:
              - { source: start, target: a }
              - { source: start, target: b }
              - { source: a, target: join }
              - { source: b, target: join }
              - { source: spare, target: join }
            """)
        let d = expectSingle(.fallbackEdgeIntoJoin, .warning, line: 13, column: 5, in: diagnostics)
        #expect(d?.message.contains("(of 'a', 'b')") == true, "\(String(describing: d))")
        #expect(d?.message.contains("its own edges resolve once") == true, "\(String(describing: d))")
    }

    @Test("no warning for an any join, a single-predecessor target, or a fallback without edges")
    func quietOtherwise() {
        let diagnostics = ValidationFixtures.diagnostics("""
            id: f
            nodes:
              - { id: start, uses: work }
              - { id: a, uses: work, config: { fallback: spare } }
              - { id: b, uses: work, config: { fallback: quiet } }
              - { id: spare, uses: work }
              - { id: quiet, uses: work }
              - { id: anyjoin, uses: work, config: { joinStrategy: any } }
              - { id: after, uses: work }
            edges:
              - { source: start, target: a }
              - { source: start, target: b }
              - { source: a, target: anyjoin }
              - { source: b, target: anyjoin }
              - { source: spare, target: anyjoin }
              - { source: spare, target: after }
            """)
        #expect(ValidationFixtures.findings(.fallbackEdgeIntoJoin, in: diagnostics).isEmpty, "\(diagnostics)")
    }
}
