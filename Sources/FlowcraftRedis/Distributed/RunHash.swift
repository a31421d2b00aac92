/// The run hash (`flowcraft:run:<runId>`, ``DistributedKeys/run``): the one Swift type that names its
/// fields and reads them. The Lua scripts write it (`commit-node.lua`, `abort-run.lua`): `status`,
/// `blueprintId`, `blueprintVersion`, `startedAt`, `finishedAt`, `failedReason`, a child run's
/// `parent` link and its `notifications` counter.
struct RunHash: Sendable, Hashable {
    /// The hash's fields.
    enum Field: String, Sendable, CaseIterable {
        /// The run's status (``DistributedRunStatus/Status``).
        case status
        case blueprintID = "blueprintId"
        /// "" for none.
        case blueprintVersion
        /// Milliseconds.
        case startedAt, finishedAt
        case failedReason
        /// A child run's ``SubflowParentLink`` JSON.
        case parent
        /// A child run's count of notifications sent to its parent (for their job ids).
        case notifications
        /// How many of the run's oldest history events the cap dropped (``DistributedHistory``).
        case historyDropped
        /// A run failed by a node: its `node#iteration` entry, which a redrive runs again.
        case failedEntry
        /// How many times the run was redriven.
        case redriveCount
        /// The run context's size in bytes, kept by the commit script when a run-context limit is set.
        case contextBytes
    }

    /// Whether the hash has a status (the run exists).
    var exists: Bool
    /// The run's status; `nil` when the hash has none (no such run) or one this engine does not know.
    var status: DistributedRunStatus.Status?
    var blueprintID: String?
    /// `nil` when none (stored as "").
    var blueprintVersion: String?

    /// `HMGET run <fields…>`.
    static func get(_ fields: [Field], runKey: String) -> HMGET {
        HMGET(key: runKey, fields: fields.map(\.rawValue))
    }

    /// `HGET run <field>`.
    static func get(_ field: Field, runKey: String) -> HGET {
        HGET(key: runKey, field: field.rawValue)
    }

    /// `HMGET run status blueprintId blueprintVersion`, decoded by ``init(reply:)``.
    struct Read: RedisTypedCommand {
        var runKey: String

        var encoded: RedisCommand {
            HMGET(key: runKey, fields: [Field.status.rawValue, Field.blueprintID.rawValue, Field.blueprintVersion.rawValue]).encoded
        }

        func decode(_ reply: RedisReply) throws(RedisError) -> RunHash { RunHash(reply: reply) }
    }

    /// The command that reads the run hash's status, blueprint and version (``Read``).
    static func read(runKey: String) -> Read {
        Read(runKey: runKey)
    }

    /// The reply of ``read(runKey:)``.
    init(reply: RedisReply) {
        let items = reply.array ?? []
        exists = items.first.map { !$0.isNull } ?? false
        status = items.first?.string.flatMap(DistributedRunStatus.Status.init)
        blueprintID = items.count > 1 ? items[1].string : nil
        blueprintVersion = items.count > 2 ? items[2].string.flatMap { $0.isEmpty ? nil : $0 } : nil
    }

    /// The status read by `HGET run status` (``get(_:runKey:)``).
    static func status(_ text: String?) -> DistributedRunStatus.Status? {
        text.flatMap(DistributedRunStatus.Status.init)
    }

    /// The status in a raw reply of `HGET run status` (in a pipeline of untyped commands).
    static func status(_ reply: RedisReply) -> DistributedRunStatus.Status? { status(reply.string) }

    /// `HGET run status` for each of `runKeys`, read by ``status(_:)`` or ``hasEnded(_:)``.
    static func statuses(runKeys: [String]) -> [HGET] { runKeys.map { get(.status, runKey: $0) } }

    /// Whether the status read by `HGET run status` says the run ended (`completed`, `failed`, `cancelled`).
    static func hasEnded(_ text: String?) -> Bool { status(text)?.hasEnded ?? false }
}

extension DistributedRunStatus.Status {
    /// Whether a run with this status ended: `completed`, `failed` or `cancelled` (it never changes
    /// again); `running` and `awaiting` runs go on.
    var hasEnded: Bool {
        switch self {
        case .completed, .failed, .cancelled: return true
        case .running, .awaiting: return false
        }
    }
}
