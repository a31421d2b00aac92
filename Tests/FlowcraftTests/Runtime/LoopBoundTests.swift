import Flowcraft
import Testing

/// The loop iteration bound (`BuiltinNode.maximumLoopIterations`) also bounds a runtime's default cap.
@Suite("Loop iteration bound")
struct LoopBoundTests {
    @Test("a runtime's default loop cap is lowered to the bound")
    func defaultCapIsBounded() {
        #expect(FlowRuntime(
            plans: [],
            options: FlowRuntime.Options(
                maximumLoopIterations: Int.max)).maximumLoopIterations == BuiltinNode.maximumLoopIterations)
        #expect(FlowRuntime(
            plans: [],
            options: FlowRuntime.Options(maximumLoopIterations: 500)).maximumLoopIterations == 500)
        #expect(FlowRuntime.defaultMaximumLoopIterations <= BuiltinNode.maximumLoopIterations)
    }
}
