/// A run's ``RunSummary`` held by reference, shared between the run's ``RunHistoryLog`` and the
/// batches it handed over: a hand-over then costs one reference instead of a copy of each of the
/// summary's strings (a short run's history cost most in such copies).
///
/// Copy on write: the log changes ``value`` in place only while it holds the only reference
/// (``RunHistoryLog`` checks with `isKnownUniquelyReferenced`); otherwise it changes a copy of
/// its own. So a batch, once handed over, never sees its summary change, and the delivering task
/// only ever reads it; that is what makes this class safe to send.
package final class SharedRunSummary: @unchecked Sendable {
    /// The summary (changed only by the log that holds the only reference).
    package internal(set) var value: RunSummary

    package init(_ value: RunSummary) {
        self.value = value
    }
}
