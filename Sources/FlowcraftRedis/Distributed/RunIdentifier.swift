/// The rules for distributed run ids, in one place: a worker refuses a job whose `runId` breaks
/// them (the job fails, nothing is written), and ``WorkflowClient/startWorkflow(blueprintID:version:context:runID:)``
/// (so `flowcraft start --run-id`) refuses such an id before writing anything.
///
/// A run id is 1 to ``maximumLength`` UTF-8 bytes without control characters (U+0000–U+001F,
/// U+007F). Any other character is allowed, `:` included (job ids escape it: ``JobIDEncoding``).
/// Ids a client starts may not contain `/` either: it is reserved for the child runs of subflow
/// nodes (`<parentRunId>/<nodeId>#<iteration>`), which a started run could otherwise impersonate, and
/// may not be `.` or `..` (URL path steps: the dashboard could not link to such a run).
package enum RunIdentifier {
    /// The longest run id, in UTF-8 bytes. Child runs of nested subflows have long ids; a subflow
    /// whose child id would be longer fails.
    package static let maximumLength = 1024

    /// Why `id` cannot identify a run (as a worker judges a job's `runId`), or `nil`.
    package static func problem(with id: String) -> String? {
        if id.isEmpty { return "a run id may not be empty" }
        if id.utf8.count > maximumLength {
            return "run id '\(id.prefix(40))…' is \(id.utf8.count) bytes long; the limit is \(maximumLength) bytes"
        }
        if id.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            return "run id '\(id.prefix(40).unicodeScalars.map { $0.escaped(asASCII: true) }.joined())' contains a control character"
        }
        return nil
    }

    /// Why a client may not start a run with `id`, or `nil`: ``problem(with:)``, and no `/`.
    package static func problemStarting(_ id: String) -> String? {
        if let problem = problem(with: id) { return problem }
        if id.utf8.contains(UInt8(ascii: "/")) {
            return "run id '\(id)' contains '/', which is reserved for the child runs of subflow nodes"
        }
        // Browsers resolve them as path steps, even escaped: the run's dashboard page could not be opened.
        if id == "." || id == ".." { return "run id '\(id)' is a path step in URLs; choose another" }
        return nil
    }
}
