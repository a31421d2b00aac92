/// Why the SQLite run history could not be opened, read or written.
public struct SQLiteHistoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for code that switches on it.
    public enum Cause: Sendable, Hashable {
        /// The file could not be opened or created (missing directory, no permission).
        case cannotOpen
        /// The file exists but is not a SQLite database, or is damaged.
        case notADatabase
        /// The database was written by a newer Flowcraft (its schema version is higher than this one's).
        case newerSchema
        /// Opened for reading only, the database is of a layout that only a recording store converts
        /// (``SQLiteRunHistory/init(path:options:)``), or is no run history at all.
        case olderSchema
        /// A write to a history opened for reading only (``SQLiteRunHistory/init(readingFrom:)``).
        case readOnly
        /// A ``RunQuery`` or option out of range.
        case invalidArgument
        /// Any other SQLite failure (disk full, locked too long, I/O error).
        case sqlite
    }

    /// What went wrong, to switch on.
    public var cause: Cause
    /// The database file.
    public var path: String
    /// The message, naming the file.
    public var message: String
    /// SQLite's result code, when SQLite reported the error.
    public var code: Int32?

    /// An error of `cause` about the file at `path` (`code`: SQLite's result code, when one).
    public init(_ cause: Cause, path: String, message: String, code: Int32? = nil) {
        self.cause = cause
        self.path = path
        self.message = message
        self.code = code
    }

    public var description: String {
        "run history '\(path)': \(message)" + (code.map { " (SQLite code \($0))" } ?? "")
    }
}
