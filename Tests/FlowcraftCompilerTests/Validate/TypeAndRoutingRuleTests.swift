import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

/// Types, actions and joins.
@Suite("Validation: types and routing")
struct TypeAndRoutingRuleTests {
    @Test func unknownTypeInAField() {
        let d = ValidationFixtures.diagnostics("""
            types:
              Order: { id: String, lines: "[OrderLne]" }
              OrderLine: { sku: String }
            nodes: [{ id: a, uses: x }]
            """)
        // At the type name, not the field's key.
        expectSingle(.unknownType, line: 2, column: 31, in: d, containing: "did you mean 'OrderLine'?")
    }

    @Test func unknownTypeInAnImplementationAcrossFiles() {
        let d = ValidationFixtures.diagnostics([
            ("types.yaml", "types:\n  Receipt: { id: String }\nnodes: [{ id: a, uses: x }]\n"),
            ("flow.yaml", """
                implementations:
                  charge: { output: Reciept }
                  refund: { output: Receipt }
                nodes: [{ id: a, uses: charge }]
                """),
        ])
        // At the type name, not the implementation's key.
        expectSingle(.unknownType, line: 2, column: 21, in: d, containing: "'Reciept'")
    }

    @Test func typeMismatchOnAnEdge() {
        let d = ValidationFixtures.diagnostics("""
            types:
              Order: { id: String }
              Receipt: { id: String }
            implementations:
              charge: { input: Order, output: Receipt }
              ship: { input: Order }
            nodes: [{ id: a, uses: charge }, { id: b, uses: ship }]
            edges:
              - { source: a, target: b }
            """)
        expectSingle(.typeMismatch, line: 9, column: 5, in: d, containing: "outputs Receipt but 'b' takes Order")
    }

    @Test func transformsAndCompatibleTypesAreNotMismatches() {
        let d = ValidationFixtures.diagnostics("""
            types:
              Order: { id: String }
            implementations:
              count: { output: Int }
              scale: { input: Double? }
              make: { output: Order }
              take: { input: Order }
              any: { input: JSON }
            nodes:
              - { id: a, uses: count }
              - { id: b, uses: scale }
              - { id: c, uses: make }
              - { id: d, uses: take }
              - { id: e, uses: any }
            edges:
              - { source: a, target: b }
              - { source: c, target: d }
              - { source: c, target: e }
              - { source: a, target: d, transform: "context.order" }
            """)
        #expect(ValidationFixtures.findings(.typeMismatch, in: d).isEmpty, "\(d)")
    }

    @Test func unroutedActionIsAWarning() {
        let d = ValidationFixtures.diagnostics("""
            implementations:
              classify: { actions: [approve, reject] }
            nodes:
              - id: triage
                uses: classify
              - { id: ok, uses: x }
            edges:
              - { source: triage, target: ok, action: approve }
            """)
        expectSingle(.unroutedAction, .warning, line: 5, column: 11, in: d, containing: "'reject'")
    }

    @Test func edgeActionTheImplementationNeverReturns() {
        let d = ValidationFixtures.diagnostics("""
            implementations:
              classify: { actions: [approve] }
            nodes: [{ id: triage, uses: classify }, { id: ok, uses: x }]
            edges:
              - { source: triage, target: ok, action: aprove }
            """)
        expectSingle(.unknownAction, .warning, line: 5, column: 43, in: d, containing: "did you mean 'approve'?")
    }

    @Test func allJoinBehindExclusiveBranches() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: triage, uses: classify }
              - { id: approve, uses: x }
              - { id: reject, uses: x }
              - id: record
                uses: x
            edges:
              - { source: triage, target: approve, action: approve }
              - { source: triage, target: reject, action: reject }
              - { source: approve, target: record }
              - { source: reject, target: record }
            """)
        expectSingle(.unreachableJoin, .warning, line: 5, column: 9, in: d, containing: "exclusive branches of 'triage'")
    }

    @Test func anyJoinBehindExclusiveBranchesIsFine() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: triage, uses: classify }
              - { id: approve, uses: x }
              - { id: reject, uses: x }
              - { id: record, uses: x, config: { joinStrategy: any } }
            edges:
              - { source: triage, target: approve, action: approve }
              - { source: triage, target: reject, action: reject }
              - { source: approve, target: record }
              - { source: reject, target: record }
            """)
        #expect(d.isEmpty, "\(d)")
    }

    @Test func parallelBranchesOfOneActionAreNotExclusive() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: triage, uses: classify }
              - { id: a, uses: x }
              - { id: b, uses: x }
              - { id: join, uses: x }
              - { id: no, uses: x }
            edges:
              - { source: triage, target: a, action: yes }
              - { source: triage, target: b, action: yes }
              - { source: triage, target: no, action: no }
              - { source: a, target: join }
              - { source: b, target: join }
            """)
        #expect(ValidationFixtures.findings(.unreachableJoin, in: d).isEmpty, "\(d)")
    }
}
