/// What a built-in node does when it runs: the one description of built-in dispatch, decided from the
/// node and its input by ``decide(_:node:input:)`` and applied by both engines (the in-memory
/// `RunDriver` and the distributed engine's node job).
///
/// | Built-in | Step | In memory | Distributed |
/// |---|---|---|---|
/// | `sleep` | ``sleep(milliseconds:)`` | 0 ms passes the input on; else parks until woken, then passes the input it resolves then | the job was added delayed; it passes its input on |
/// | `wait` | ``wait`` | parks until `resume` | parks the node (`awaiting`) until `resume` |
/// | `loop-controller` | ``loopController`` | ``LoopControllerStep`` | ``LoopControllerStep`` |
/// | `batch-scatter` | ``scatter(_:items:)`` | hands the workers to the scheduler | enqueues worker jobs |
/// | `batch-gather` | ``gather(_:)`` | ``BatchGather`` | ``BatchGather`` |
/// | `subflow` | ``subflow(blueprintID:mapping:)`` | runs the child in the same task | runs the child as a run of its own |
/// | `webhook` | ``fail(_:)`` | — | — |
///
/// Invalid parameters (a blueprint built in code; the compiler reports them) fail the node fatally
/// with the same message in both engines.
package enum BuiltinStep: Sendable {
    /// Pause for this long, then pass the input on.
    case sleep(milliseconds: Int64)
    /// Pause until resumed; the resume's output and action complete the node.
    case wait
    /// Decide whether the loop continues (``LoopControllerStep``).
    case loopController
    /// Run the batch's workers over `items`.
    case scatter(BatchPlan, items: [JSONValue])
    /// Collect the batch's results.
    case gather(BatchGather)
    /// Run blueprint `blueprintID` as a child run.
    case subflow(blueprintID: String, mapping: SubflowMapping)
    /// Fail the node fatally (no fallback) with this message.
    case fail(String)

    /// What built-in `builtin` does for `node` with `input`.
    package static func decide(_ builtin: BuiltinNode, node: NodeDefinition, input: JSONValue) -> BuiltinStep {
        switch builtin {
        case .sleep:
            guard let milliseconds = DurationValue.milliseconds(node.params["duration"]) else {
                return .fail("sleep needs a 'duration' (milliseconds, or text such as '5s')")
            }
            return .sleep(milliseconds: milliseconds)
        case .wait:
            return .wait
        case .loopController:
            return .loopController
        case .batchScatter:
            guard case .array(let items) = input else { return .fail(BatchPlan.notAnArrayMessage(input)) }
            guard let batch = BatchPlan(scatter: node) else { return .fail(BatchPlan.missingParamsMessage) }
            return .scatter(batch, items: items)
        case .batchGather:
            return .gather(BatchGather(node: node))
        case .subflow:
            guard let id = SubflowMapping.blueprintID(of: node.params) else {
                return .fail(SubflowMapping.notLoadedMessage(node.params))
            }
            return .subflow(blueprintID: id, mapping: SubflowMapping(params: node.params))
        case .webhook:
            return .fail("webhook nodes need a transport; neither engine has one yet")
        }
    }
}
