import Flowcraft

/// How the distributed engine spells job ids and child run ids: readable, free of `:` (BullMQ ids may
/// not contain it) and *injective* — distinct runs, nodes and iterations never share an id.
///
/// A job id is `<runId>.<nodeId>.<iteration>` (`.fallback-of.<nodeId>` appended for a fallback), each
/// text component percent-escaped: `%` → `%25`, `.` → `%2E`, `:` → `%3A`. Escaping `%` makes the
/// escape itself unambiguous and escaping `.` keeps the components apart, so runs `k:1`, `k_1` and
/// `k%3A1` (or run `a.b` with node `c` and run `a` with node `b.c`) get different job ids. Ids
/// without these characters (UUID run ids, most node ids) are unchanged.
///
/// A child run id is ``SubflowRunID``'s: `<parentRunId>/<nodeId>#<iteration>` with `%` → `%25` and
/// `/` → `%2F` in the node id, so the last `/` separates the parent.
enum JobIDEncoding {
    /// One text component of a job id.
    static func component(_ text: String) -> String {
        escaping(text) { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }
    }

    /// The node id inside a child run id (``SubflowRunID``).
    static func childRunComponent(_ text: String) -> String { SubflowRunID.component(text) }

    private static func escaping(_ text: String, _ escaped: (UInt8) -> Bool) -> String {
        PercentEscaping.escaping(text, escaped)
    }
}
