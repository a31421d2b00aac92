/// The least-privilege Redis ACL of each role of the distributed engine (Redis 7 `ACL SETUSER`
/// rules): the key patterns and the exact commands it uses, including those its Lua scripts call
/// (Redis checks a script's commands and keys against the caller's ACL). No role needs `KEYS`,
/// `SCAN`, `FLUSH*`, `CONFIG` or `DEBUG`.
///
/// ```swift
/// // ACL SETUSER flowcraft-worker on >secret <rules>
/// let rules = AccessControl.rules(for: .worker, queuePrefix: "bull", queueName: "flowcraft-queue")
/// ```
public enum AccessControl {
    /// Who connects: each role gets only the commands and keys it needs.
    public enum Role: String, Sendable, CaseIterable {
        /// A ``DistributedWorker`` (and a ``WorkflowReconciler``).
        case worker
        /// A ``WorkflowClient``: start, status, result, resume, cancel.
        case client
        /// A read-only dashboard: run status and state, queue counts, jobs and events, run history
        /// (``RedisRunHistory``; the `flowcraft runs`/`inspect`/`graph --run`/`replay` commands).
        case dashboard
    }

    /// Commands every role may need to connect (`AUTH` is always allowed): `SELECT` for a database
    /// other than 0, `CLIENT SETNAME` when the configuration names its connections.
    static let connection = ["select", "client|setname"]

    /// The commands the engine's scripts call, and the ones workers and clients send themselves.
    static let engine = [
        "evalsha", "eval", "script|load",
        // (`rename`, `persist`: a failed run parks its pending entries, a redrive puts them back.)
        "get", "set", "del", "exists", "expire", "persist", "rename", "type", "incr",
        "hget", "hmget", "hgetall", "hset", "hsetnx", "hdel", "hincrby", "hexists", "hstrlen",
        "sadd", "srem", "sismember", "smembers", "scard", "smove", "sunion",
        "zadd", "zrem", "zrange", "zrangebyscore", "zcard", "zscore", "zpopmin",
        "lpush", "rpush", "lrem", "llen", "lrange", "lpos", "rpoplpush",
        "xadd",
        // Run history: its list's trim, the index trim, and what RedisRunHistory reads.
        "ltrim", "zremrangebyscore", "zrevrangebyscore",
    ]

    /// What every role adds on a Redis Cluster (`redis+cluster://`), set on every node: reading the
    /// slot map and following an `ASK` redirection during a slot migration.
    public static let clusterCommands = ["cluster|shards", "cluster|slots", "asking"]

    /// What a worker adds: waiting for the queue's marker.
    static let workerOnly = ["bzpopmin"]

    /// A dashboard's reads.
    static let dashboard = [
        "get", "mget", "hget", "hmget", "hgetall", "hlen", "exists", "type", "ttl", "pttl",
        "smembers", "scard", "sismember", "zrange", "zrangebyscore", "zrevrange", "zrevrangebyscore", "zcard", "zscore",
        "llen", "lrange", "xrange", "xrevrange", "xlen",
    ]

    /// The commands `role` uses.
    public static func commands(for role: Role) -> [String] {
        switch role {
        case .worker: return connection + engine + workerOnly
        case .client: return connection + engine
        case .dashboard: return connection + dashboard
        }
    }

    /// The key patterns of `role` (`~pattern`, read-only `%R~pattern` for the dashboard): the queue's
    /// BullMQ keys (in a sharded layout those of every shard queue, `bull:{<queue>.*}:*`), the
    /// seed-compatible `workflow:*` keys and the engine's `flowcraft:*` keys.
    public static func keyPatterns(
        for role: Role, queuePrefix: String = "bull", queueName: String = "flowcraft-queue", layout: QueueLayout = .single
    ) -> [String] {
        let access = role == .dashboard ? "%R~" : "~"
        let queueKeys = layout == .single ? "\(queuePrefix):\(queueName):*" : "\(queuePrefix):{\(queueName).*}:*"
        return [queueKeys, "workflow:*", "flowcraft:*"].map { access + $0 }
    }

    /// The rules after `ACL SETUSER <name> on ><password>`: no channels, the key patterns and
    /// exactly the role's commands; with `cluster`, also ``clusterCommands`` (set the user on every
    /// node of the cluster, replicas included: a replica promoted by a fail-over must know it).
    public static func rules(
        for role: Role, queuePrefix: String = "bull", queueName: String = "flowcraft-queue", layout: QueueLayout = .single,
        cluster: Bool = false
    ) -> [String] {
        ["resetkeys", "resetchannels", "-@all"] + keyPatterns(for: role, queuePrefix: queuePrefix, queueName: queueName, layout: layout)
            + (commands(for: role) + (cluster ? clusterCommands : [])).map { "+" + $0 }
    }
}
