/// The `uses` keys the runtime implements itself, and the parameters each accepts.
public enum BuiltinNode: String, Sendable, CaseIterable {
    /// `sleep`: waits `params.duration`, then continues.
    case sleep
    /// `wait`: pauses the run until it is resumed with an action.
    case wait
    /// `subflow`: runs another blueprint as a child run.
    case subflow
    /// `batch-scatter`: runs a worker implementation once per item of a list.
    case batchScatter = "batch-scatter"
    /// `batch-gather`: collects a scatter's outputs into one list.
    case batchGather = "batch-gather"
    /// `loop-controller`: repeats a loop body while its condition holds.
    case loopController = "loop-controller"
    /// `webhook`: pauses the run until an external call resumes it.
    case webhook

    /// The most rounds a `loop-controller` may count per entry into its loop: the upper bound of its
    /// `maxIterations` parameter and of a runtime's default cap. The compiler reports a larger value
    /// (`INVALID_VALUE`); both engines fail the loop-controller of a blueprint built in code that sets
    /// one. (An unbounded loop grows the run's history and, distributed, Redis without limit.)
    public static let maximumLoopIterations = 100_000

    /// Parameters accepted under `params:`; `required` must be present.
    public var parameters: (required: [String], optional: [String]) {
        switch self {
        case .sleep: return (["duration"], [])
        case .wait: return ([], ["timeout", "event"])
        case .subflow: return (["blueprintId"], ["inputs", "outputs"])
        case .batchScatter: return (["workerUsesKey", "gatherNodeId"], ["chunkSize", "outputKey"])
        case .batchGather: return (["gatherNodeId"], ["outputKey"])
        case .loopController: return (["condition"], ["maxIterations", "endNodeId"])
        case .webhook: return ([], ["path", "method"])
        }
    }
}
