import CSQLite
import Flowcraft
import Foundation

/// One SQLite connection and its prepared statements. Not thread-safe: ``SQLiteRunHistory`` uses it
/// only on its own serial queue.
final class SQLiteConnection {
    let path: String
    private var db: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (or creates) the file. A file that is not a database fails on the first statement, which
    /// `SQLiteRunHistory` runs at once.
    /// `readOnly`: the file must exist, and SQLite refuses every write. `immutable` (read-only only):
    /// SQLite assumes nothing changes the file while it is open, so it needs no lock or shared-memory
    /// file beside it — for a file in a directory this process may not write.
    init(path: String, readOnly: Bool = false, immutable: Bool = false) throws(SQLiteHistoryError) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SQLiteHistoryError(.cannotOpen, path: path, message: "cannot open: it is a directory, not a history file")
        }
        var handle: OpaquePointer?
        var flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        var name = path
        if readOnly && immutable {
            flags |= SQLITE_OPEN_URI
            let escaped = PercentEscaping.escaping(path) { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            name = "file:" + escaped + "?immutable=1"
        }
        let rc = sqlite3_open_v2(name, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            let reason = Self.reason(path: path, readOnly: readOnly).map { " (\($0))" } ?? ""
            throw SQLiteHistoryError(.cannotOpen, path: path, message: "cannot open: \(message)\(reason)", code: rc)
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 5_000)
    }

    /// Why `path` cannot be opened, when the file system says (SQLite only says "unable to open").
    private static func reason(path: String, readOnly: Bool) -> String? {
        let files = FileManager.default
        if files.fileExists(atPath: path) {
            return files.isReadableFile(atPath: path) ? nil : "the file cannot be read"
        }
        if readOnly { return "no such file" }
        let directory = (path as NSString).deletingLastPathComponent
        let parent = directory.isEmpty ? "." : directory
        if !files.fileExists(atPath: parent) { return "the directory '\(parent)' does not exist" }
        return files.isWritableFile(atPath: parent) ? nil : "the directory '\(parent)' is not writable"
    }

    deinit {
        for statement in statements.values { statement.finalize() }
        sqlite3_close_v2(db)
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws(SQLiteHistoryError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(errorMessage)
            throw error(rc, message)
        }
    }

    /// The statement for `sql`, prepared once and reset for reuse.
    func statement(_ sql: String) throws(SQLiteHistoryError) -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard rc == SQLITE_OK, let handle else { throw error(rc, lastMessage) }
        let statement = SQLiteStatement(handle: handle, connection: self)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` in one transaction, rolled back when it throws.
    func transaction<T>(_ body: () throws(SQLiteHistoryError) -> T) throws(SQLiteHistoryError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var changes: Int { Int(sqlite3_changes(db)) }

    /// Makes SQLite checkpoint the write-ahead log by itself once it holds `pages` pages (at the
    /// commit that crosses it).
    func setAutomaticCheckpoint(pages: Int32) {
        sqlite3_wal_autocheckpoint(db, pages)
    }

    /// Copies what it can of the write-ahead log into the database file now, without waiting for
    /// readers or blocking writers (`PASSIVE`).
    func checkpoint() throws(SQLiteHistoryError) {
        let rc = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        // Busy: a reader holds the log; the next idle moment tries again.
        guard rc == SQLITE_OK || rc & 0xff == SQLITE_BUSY else { throw error(rc, lastMessage) }
    }

    var lastMessage: String { db.map { String(cString: sqlite3_errmsg($0)) } ?? "no connection" }

    /// The error for result code `rc`, with a clear cause for a file that is not a database.
    func error(_ rc: Int32, _ message: String) -> SQLiteHistoryError {
        switch rc & 0xff {
        case SQLITE_NOTADB, SQLITE_CORRUPT:
            return SQLiteHistoryError(
                .notADatabase, path: path, message: "not a Flowcraft run history or a damaged SQLite file: \(message)",
                code: rc)
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY:
            return SQLiteHistoryError(.cannotOpen, path: path, message: message, code: rc)
        default:
            return SQLiteHistoryError(.sqlite, path: path, message: message, code: rc)
        }
    }
}

/// A prepared statement: bind by 1-based index, step, read columns by 0-based index.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private unowned let connection: SQLiteConnection
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    func finalize() { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `value` as TEXT: its own UTF-8 bytes with their length (copied by SQLite), not a
    /// NUL-terminated copy made for the call (an allocation per string bound); a NUL inside it is
    /// kept, and ``string(_:)`` reads it back whole.
    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { text in
                if let address = text.baseAddress {
                    _ = sqlite3_bind_text(handle, index, address, Int32(text.count), Self.transient)
                } else {
                    // An empty buffer may have no address; SQLite wants one.
                    _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
            }
        }
    }

    /// Binds `bytes` as a BLOB (copied by SQLite).
    func bind(_ index: Int32, blob bytes: [UInt8]) {
        bytes.withUnsafeBytes { bind(index, blob: $0) }
    }

    /// Binds `bytes` as a BLOB (copied by SQLite).
    func bind(_ index: Int32, blob bytes: UnsafeRawBufferPointer) {
        _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value {
            sqlite3_bind_int64(handle, index, value)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }

    func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(handle, index, Int64(value)) }

    /// Steps once: `true` with a row to read, `false` when done.
    func step() throws(SQLiteHistoryError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(rc, connection.lastMessage)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Steps to the end (a statement without rows).
    func run() throws(SQLiteHistoryError) {
        while try step() {}
    }

    func string(_ column: Int32) -> String? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let text = sqlite3_column_text(handle, column) else {
            return nil
        }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Whether the column holds a BLOB.
    func isBlob(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_BLOB }

    /// The column's bytes (a BLOB's, or a text's UTF-8).
    func bytes(_ column: Int32) -> [UInt8] {
        guard let base = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    func int64(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }
}
