import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

/// Fallbacks, subflows, built-in parameters, batch keys, expressions and `uses` keys.
@Suite("Validation: nodes")
struct NodeRuleTests {
    @Test func fallbackToUnknownNode() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - id: charge
                uses: x
                config: { fallback: manul }
              - { id: manual, uses: y }
            """)
        expectSingle(.invalidFallback, line: 4, column: 25, in: d, containing: "did you mean 'manual'?")
    }

    @Test func fallbackToItself() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - id: a
                uses: x
                config:
                  fallback: a
            """)
        expectSingle(.invalidFallback, line: 5, column: 17, in: d, containing: "its own fallback")
    }

    @Test func fallbackCycle() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: s, uses: x }
              - { id: a, uses: x, config: { fallback: b } }
              - { id: b, uses: x, config: { fallback: a } }
            edges: [{ source: s, target: a }]
            """)
        expectSingle(.invalidFallback, line: 3, column: 43, in: d, containing: "a → b → a")
    }

    @Test func subflowResolvesAcrossFiles() {
        let d = ValidationFixtures.diagnostics([
            ("parent.yaml", "nodes: [{ id: call, uses: subflow, params: { blueprintId: child } }]\n"),
            ("child.yaml", "nodes: [{ id: work, uses: x }]\n"),
        ])
        #expect(d.isEmpty, "\(d)")
    }

    @Test func invalidSubflowBlueprintID() {
        let d = ValidationFixtures.diagnostics([
            ("parent.yaml", """
                nodes:
                  - id: call
                    uses: subflow
                    params:
                      blueprintId: chlid
                """),
            ("child.yaml", "nodes: [{ id: work, uses: x }]\n"),
        ])
        expectSingle(.invalidSubflowBlueprintID, line: 5, column: 20, file: "parent.yaml", in: d,
                     containing: "did you mean 'child'?")
    }

    @Test func subflowCycleAcrossFiles() {
        let d = ValidationFixtures.diagnostics([
            ("a.yaml", "nodes: [{ id: call-b, uses: subflow, params: { blueprintId: b } }]\n"),
            ("b.yaml", "nodes:\n  - { id: call-a, uses: subflow, params: { blueprintId: a } }\n"),
        ])
        expectSingle(.subflowCycle, line: 1, column: 61, file: "a.yaml", in: d, containing: "call each other")
    }

    @Test func subflowCallingItself() {
        let d = ValidationFixtures.diagnostics("nodes: [{ id: again, uses: subflow, params: { blueprintId: flow } }]\n")
        expectSingle(.subflowCycle, line: 1, column: 60, in: d, containing: "calls itself")
    }

    @Test func missingBuiltinParameter() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - id: nap
                uses: sleep
                params: {}
            """)
        expectSingle(.missingField, line: 4, column: 13, in: d, containing: "'duration'")
    }

    @Test func unknownBuiltinParameterIsAWarningWithSuggestion() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - id: nap
                uses: sleep
                params:
                  duration: 5s
                  durration: 6s
            """)
        expectSingle(.unknownField, .warning, line: 6, column: 18, in: d, containing: "did you mean 'duration'?")
    }

    @Test func invalidBuiltinParameterValue() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: s, uses: x }
              - id: loop
                uses: loop-controller
                params: { condition: "n < 3", maxIterations: -1 }
            edges:
              - { source: s, target: loop }
              - { source: loop, target: s, action: continue }
            """)
        expectSingle(.invalidValue, line: 5, column: 50, in: d, containing: "positive integer")
    }

    @Test("maxIterations above the loop iteration bound is INVALID_VALUE naming the key and the bound",
          arguments: ["100001", "9223372036854775807"])
    func maxIterationsAboveTheBound(_ value: String) {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: s, uses: x }
              - id: loop
                uses: loop-controller
                params: { condition: "true", maxIterations: \(value) }
            edges:
              - { source: s, target: loop }
              - { source: loop, target: s, action: continue }
            """)
        let found = expectSingle(.invalidValue, line: 5, column: 49, in: d, containing: "at most 100000")
        #expect(found?.message.contains("maxIterations") == true)
        #expect(BuiltinNode.maximumLoopIterations == 100_000)
    }

    @Test func maxIterationsAtTheBoundIsValid() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: s, uses: x }
              - id: loop
                uses: loop-controller
                params: { condition: "true", maxIterations: 100000 }
            edges:
              - { source: s, target: loop }
              - { source: loop, target: s, action: continue }
            """)
        #expect(ValidationFixtures.findings(.invalidValue, in: d).isEmpty, "\(d)")
    }

    @Test func scatterMustNameAGatherNode() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - id: fan-out
                uses: batch-scatter
                params: { workerUsesKey: resize-image, gatherNodeId: colect }
              - { id: collect, uses: batch-gather, params: { gatherNodeId: collect } }
            edges: [{ source: fan-out, target: collect }]
            """)
        expectSingle(.invalidValue, line: 4, column: 58, in: d, containing: "did you mean 'collect'?")
    }

    @Test func batchWorkerKeyCannotBeAControlBuiltin() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - id: fan-out
                uses: batch-scatter
                params:
                  workerUsesKey: batch-gather
                  gatherNodeId: collect
              - { id: collect, uses: batch-gather, params: { gatherNodeId: collect } }
            edges: [{ source: fan-out, target: collect }]
            """)
        expectSingle(.invalidBatchWorkerKey, line: 5, column: 22, in: d, containing: "'batch-gather'")
    }

    @Test func batchWorkerKeyThatIsANodeID() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: fan-out, uses: batch-scatter, params: { workerUsesKey: resize, gatherNodeId: collect } }
              - { id: resize, uses: resize-image }
              - { id: collect, uses: batch-gather, params: { gatherNodeId: collect } }
            edges: [{ source: fan-out, target: collect }, { source: fan-out, target: resize }]
            """)
        expectSingle(.invalidBatchWorkerKey, line: 2, column: 66, in: d, containing: "did you mean 'resize-image'?")
    }

    @Test func invalidExpressionInPlainCondition() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: a, uses: x }, { id: b, uses: y }]
            edges:
              - source: a
                target: b
                condition: result.output.total > = 3
            """)
        // The expression starts at column 16; the stray '=' is 22 scalars in.
        expectSingle(.invalidExpression, line: 5, column: 38, in: d, containing: "'=='")
    }

    @Test func invalidExpressionInQuotedTransform() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: a, uses: x }, { id: b, uses: y }]
            edges:
              - { source: a, target: b, transform: "input[0" }
            """)
        expectSingle(.invalidExpression, line: 3, column: 48, in: d, containing: "expected ']'")
    }

    @Test func invalidLoopCondition() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: s, uses: x }
              - id: loop
                uses: loop-controller
                params:
                  condition: "items.length > 0 &"
            edges:
              - { source: s, target: loop }
              - { source: loop, target: s, action: continue }
            """)
        expectSingle(.invalidExpression, line: 6, column: 36, in: d, containing: "'&&'")
    }

    @Test func unknownImplementationNearABuiltin() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - id: retry
                uses: loop-controler
            """)
        expectSingle(.unknownImplementation, .warning, line: 3, column: 11, in: d, containing: "'loop-controller'")
    }

    @Test func undeclaredImplementationsAreAllowed() {
        let d = ValidationFixtures.diagnostics("nodes: [{ id: a, uses: send-email }, { id: b, uses: send-sms }]\n")
        #expect(d.isEmpty, "\(d)")
    }
}

@Suite("Validation: expression roots")
struct ExpressionRootRuleTests {
    @Test func transformReadingResultIsAWarning() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: a, uses: x }, { id: b, uses: y }]
            edges:
              - { source: a, target: b, transform: result.output }
            """)
        expectSingle(.unknownExpressionRoot, .warning, line: 3, column: 40, in: d, containing: "'result'")
    }

    @Test func conditionsMayReadAnyContextKey() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: a, uses: x }, { id: b, uses: y }]
            edges:
              - { source: a, target: b, condition: "retries < 3 && result.output.ok", transform: "context.order" }
            """)
        #expect(d.isEmpty, "\(d)")
    }
}
