/// The run id of a subflow call's child run, the same in both engines:
/// `<parentRunId>/<nodeId>#<iteration>`, with `%` → `%25` and `/` → `%2F` in the node id (so the
/// last `/` separates the parent) and the call's loop iteration (``IterationNumbering``; 0 outside
/// loops), so that every round of a loop that calls a subflow has a child run of its own.
package enum SubflowRunID {
    package static func child(of parentRunID: String, nodeID: String, iteration: Int) -> String {
        "\(parentRunID)/\(component(nodeID))#\(iteration)"
    }

    /// The node id inside a child run id.
    package static func component(_ nodeID: String) -> String {
        PercentEscaping.escaping(nodeID) { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "/") }
    }
}
