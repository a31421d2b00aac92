/// The `uses` keys the runtime implements itself, and the parameters each accepts.
public enum BuiltinNode: String, Sendable, CaseIterable {
    case sleep
    case wait
    case subflow
    case batchScatter = "batch-scatter"
    case batchGather = "batch-gather"
    case loopController = "loop-controller"
    case webhook

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
