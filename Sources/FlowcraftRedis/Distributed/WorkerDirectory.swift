import Flowcraft

/// One blueprint a worker can run: its id, version label and content fingerprint.
struct BlueprintAdvertisement: Sendable, Hashable {
    var id: String
    var version: String?
    var fingerprint: String

    var json: JSONValue {
        ["id": .string(id), "version": version.map(JSONValue.string) ?? .null, "fingerprint": .string(fingerprint)]
    }

    init(id: String, version: String?, fingerprint: String) {
        self.id = id
        self.version = version
        self.fingerprint = fingerprint
    }

    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let fingerprint = json["fingerprint"]?.stringValue else { return nil }
        self.init(id: id, version: json["version"]?.stringValue, fingerprint: fingerprint)
    }

    /// `id@version#fingerprint`, for messages.
    var label: String { "'\(id)'@\(version.map { "'\($0)'" } ?? "unversioned")#\(fingerprint.prefix(12))" }
}

/// The blueprints the live workers of a queue have: the hash `flowcraft:workers:<queue>`, one field
/// per worker name holding `{"expires": ms, "blueprints": [{id, version, fingerprint}…]}`. Each
/// worker rewrites its field every ``RollingDeployOptions/advertisementInterval`` (one `HSET`) and
/// deletes it when it stops; a field whose `expires` passed belongs to a worker that died and is
/// ignored (and pruned by the next worker that advertises). Read only off the hot path: when a worker
/// lacks a job's blueprint, and by a client's graph check at most once per
/// ``RollingDeployOptions/graphCheckMaxAge`` (``WorkerDirectoryCache``).
struct WorkerDirectory: Sendable {
    let client: RedisClient
    let queueName: String

    var key: String { Self.key(queue: queueName) }
    static func key(queue: String) -> String { "flowcraft:workers:\(queue)" }

    /// Writes (or refreshes) `worker`'s advertisement, live for `lifetimeMilliseconds`, and drops the
    /// fields of workers whose advertisement lapsed.
    func advertise(worker: String, blueprints: [BlueprintAdvertisement], lifetimeMilliseconds: Int) async throws {
        let now = QueueClock.nowMilliseconds()
        let value: JSONValue = [
            "expires": .int(now + lifetimeMilliseconds), "blueprints": .array(blueprints.map(\.json)),
        ]
        _ = try await client.execute(HSET(key: key, field: worker, value: JSONText.serialize(value)))
        let lapsed = try await live(now: now, includingLapsed: true).filter { $0.value.expires <= now }.map(\.key)
        if !lapsed.isEmpty { _ = try await client.execute(HDEL(key: key, fields: lapsed)) }
    }

    /// Removes `worker`'s advertisement (it stops).
    func withdraw(worker: String) async throws {
        _ = try await client.execute(HDEL(key: key, fields: [worker]))
    }

    struct Entry: Sendable {
        var expires: Int
        var blueprints: [BlueprintAdvertisement]
    }

    /// The advertisements of live workers, by worker name.
    func live(now: Int = QueueClock.nowMilliseconds(), includingLapsed: Bool = false) async throws -> [String: Entry] {
        let reply = try await client.execute(HGETALL(key: key))
        let items = reply.array ?? []
        var entries: [String: Entry] = [:]
        var i = 0
        while i + 1 < items.count {
            defer { i += 2 }
            guard let name = items[i].string, let text = items[i + 1].string, let value = try? JSONText.parse(text),
                let expires = value["expires"]?.intValue
            else { continue }
            guard includingLapsed || expires > now else { continue }
            let blueprints = (value["blueprints"]?.arrayValue ?? []).compactMap(BlueprintAdvertisement.init(json:))
            entries[name] = Entry(expires: expires, blueprints: blueprints)
        }
        return entries
    }
}
