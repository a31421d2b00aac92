/// One arrival applied by ``NodeCompletionScript``: predecessor `source` reached `target` along a live
/// (taken) or dead (skipped) edge. Records with a non-empty `from` apply only once the `from` instance
/// is found dead (dead-path propagation); a record without `source` enqueues its target directly
/// (start nodes, fallbacks).
struct ArrivalRecord: Sendable, Hashable {
    var from: String
    var target: NodeInstance
    var source: String
    var live: Bool
    var required: Int
    var join: String
    var delay: Int
    var jobID: String
    var data: String
    var options: String

    /// The record's ten script arguments.
    func append(to arguments: inout [String]) {
        arguments.append(from)
        arguments.append(target.description)
        arguments.append(source)
        arguments.append(live ? "1" : "0")
        arguments.append(String(required))
        arguments.append(join)
        arguments.append(String(delay))
        arguments.append(jobID)
        arguments.append(data)
        arguments.append(options)
    }
}
