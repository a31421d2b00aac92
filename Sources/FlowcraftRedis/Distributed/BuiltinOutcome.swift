import Flowcraft

/// How a built-in the distributed engine runs inside a job ended.
enum BuiltinOutcome: Sendable {
    case success(NodeResult)
    case failure(message: String, attempts: Int, fatal: Bool)
}
