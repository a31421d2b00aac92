import Flowcraft
import FlowcraftModel

/// Reads the run history the distributed engine records (``DistributedHistory``): the runs of one
/// queue, newest first, and each run's summary and events.
///
/// The summary comes from the run hash (`flowcraft:run:<runId>`: status, blueprint, start and end
/// times, parent link) and, for an ended run, its final status (failed node and reason); the events
/// from the run's capped list (`flowcraft:history:<runId>`), numbered from 1 by their position plus
/// the count the cap dropped (so numbers stay put when the cap drops the oldest). Runs are
/// listed from sorted sets per queue scored by start time (`flowcraft:runs:started:<queue>`,
/// `…:status:<queue>:<status>` for ended runs, `…:blueprint:<queue>:<id>`); entries whose run expired
/// are skipped.
///
/// In a sharded layout (``QueueLayout``) each shard has its own indexes (`…:started:{<queue>.07}`):
/// a page merges the shards' indexes newest first, and a run is read on its shard (by its full id or
/// its base id).
public struct RedisRunHistory: RunHistoryReader {
    /// The Redis client the history is read with.
    public let client: RedisClient
    /// The queue whose runs are listed.
    public let queueName: String
    /// The queue's shards.
    public let shards: QueueShards

    /// The history of the runs of queue `queueName` (``DistributedOptions/queueName``) laid out as
    /// `layout` (``QueueLayoutRecord/resolve(_:queueName:client:)`` reads the recorded one).
    public init(client: RedisClient, queueName: String = DistributedOptions().queueName, layout: QueueLayout = .single) {
        self.client = client
        self.queueName = queueName
        shards = QueueShards(queueName: queueName, layout: layout)
    }

    /// The largest page ``runs(_:)`` returns.
    public static let maximumPageSize = 1_000

    public func runs(_ query: RunQuery) async throws -> RunPage {
        guard (1...Self.maximumPageSize).contains(query.limit) else {
            throw RunQueryError(parameter: "limit", message: "the page size must be 1…\(Self.maximumPageSize) (got \(query.limit))")
        }
        var cursor: (score: Int64, runID: String)?
        if let text = query.cursor {
            guard let colon = text.firstIndex(of: ":"), let score = Int64(text[..<colon]) else {
                throw RunQueryError(parameter: "cursor", message: "invalid cursor '\(text)' (pass the nextCursor of a previous page)")
            }
            cursor = (score, String(text[text.index(after: colon)...]))
        }
        if query.status == .running, let running = try await runningRuns(query, cursor: cursor) { return running }
        // One index per shard; a page is the newest `limit` of their runs after the cursor, in the
        // order one index lists them (start time, then run id, both descending).
        var merged: [(summary: RunSummary, score: Int64)] = []
        var more = false
        for shard in 0..<shards.count {
            let scan = try await scan(index(query, queue: shards.queueName(ofShard: shard)), query, cursor: cursor)
            merged += scan.found
            if !scan.exhausted { more = true }
        }
        return Self.page(merged, limit: query.limit, more: more, sorted: shards.count == 1)
    }

    /// The runs the active-runs index (`flowcraft:runs:active:<queue>`, which the reconciler watches)
    /// lists as running, so that `--status running` reads the runs in flight rather than the whole
    /// history; `nil` (scan the history instead) when more than ``activeRunsReadLimit`` are in flight.
    private func runningRuns(_ query: RunQuery, cursor: (score: Int64, runID: String)?) async throws -> RunPage? {
        let keys = (0..<shards.count).map { DistributedKeys.activeRuns(queue: shards.queueName(ofShard: $0)) }
        let counts = try await client.pipeline(keys.map { RedisCommand(["ZCARD", $0]) })
        guard counts.reduce(0, { $0 + ($1.int ?? 0) }) <= Self.activeRunsReadLimit else { return nil }
        var found: [(summary: RunSummary, score: Int64)] = []
        for key in keys {
            let ids = (try await client.send(RedisCommand(["ZRANGE", key, "0", "-1"])).array ?? []).compactMap(\.string)
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<Swift.min(start + 500, ids.count)])
                for summary in try await summaries(chunk).compactMap({ $0 }) where summary.status == .running {
                    if let blueprint = query.blueprintID, summary.blueprintID != blueprint { continue }
                    if let since = query.since, summary.startedAt < since { continue }
                    if let cursor, !Self.isAfter((summary.startedAt, summary.runID), cursor) { continue }
                    found.append((summary, summary.startedAt))
                }
            }
        }
        return Self.page(found, limit: query.limit, more: false, sorted: false)
    }

    /// Beyond this many runs in flight, `--status running` scans the history's start index instead.
    static let activeRunsReadLimit = 20_000

    /// Whether a run listed at `entry` (start time, run id) comes after `cursor` in the listing order
    /// (start time, then run id, both descending).
    private static func isAfter(_ entry: (score: Int64, runID: String), _ cursor: (score: Int64, runID: String)) -> Bool {
        entry.score != cursor.score ? entry.score < cursor.score
            : Array(entry.runID.utf8).lexicographicallyPrecedes(Array(cursor.runID.utf8))
    }

    /// The page of the newest `limit` of `found` (sorted newest first unless `sorted`), with a cursor
    /// when `more` runs may follow or some were left off.
    private static func page(
        _ found: [(summary: RunSummary, score: Int64)], limit: Int, more: Bool, sorted: Bool
    ) -> RunPage {
        var merged = found
        var more = more
        if !sorted {
            merged.sort { a, b in isAfter((b.score, b.summary.runID), (a.score, a.summary.runID)) }
        }
        if merged.count > limit {
            merged.removeSubrange(limit...)
            more = true
        }
        let next = more ? merged.last.map { "\($0.score):\($0.summary.runID)" } : nil
        return RunPage(runs: merged.map(\.summary), nextCursor: next)
    }

    /// The index `query` lists for one (shard) queue.
    private func index(_ query: RunQuery, queue: String) -> String {
        if let blueprint = query.blueprintID {
            return DistributedKeys.historyBlueprint(queue: queue, blueprintID: blueprint)
        } else if let status = query.status, status != .running {
            // The final statuses, and `waiting` (runs enter it as they pause and leave it as they run
            // again or end; a summary read shows the status as it is now).
            return DistributedKeys.historyStatus(queue: queue, status: status.rawValue)
        }
        return DistributedKeys.historyStarted(queue: queue)
    }

    /// Up to `query.limit` runs of `index` after `cursor`, newest first; `exhausted` when the index
    /// has none after them.
    private func scan(
        _ index: String, _ query: RunQuery, cursor: (score: Int64, runID: String)?
    ) async throws -> (found: [(summary: RunSummary, score: Int64)], exhausted: Bool) {
        let max = cursor.map { String($0.score) } ?? "+inf"
        let min = query.since.map { String($0) } ?? "-inf"
        let batch = Swift.min(500, Swift.max(50, query.limit * 2))
        var offset = 0
        var found: [(summary: RunSummary, score: Int64)] = []
        var exhausted = false
        while found.count < query.limit {
            let reply = try await client.send(RedisCommand([
                "ZREVRANGEBYSCORE", index, max, min, "WITHSCORES", "LIMIT", String(offset), String(batch),
            ]))
            let items = reply.array ?? []
            offset += items.count / 2
            var candidates: [(String, Int64)] = []
            for i in stride(from: 0, to: items.count - 1, by: 2) {
                guard let id = items[i].string, let score = items[i + 1].string.flatMap({ Double($0) }).map({ Int64($0) })
                else { continue }
                // Equal scores come in descending member order: resume after the cursor's run.
                if let cursor, score == cursor.score, Array(id.utf8).lexicographicallyPrecedes(Array(cursor.runID.utf8)) == false {
                    continue
                }
                candidates.append((id, score))
            }
            let summaries = try await summaries(candidates.map(\.0))
            var consumed = 0
            for ((_, score), summary) in zip(candidates, summaries) {
                guard found.count < query.limit else { break }
                consumed += 1
                guard let summary else { continue }
                if let status = query.status, summary.status != status { continue }
                if let blueprint = query.blueprintID, summary.blueprintID != blueprint { continue }
                found.append((summary, score))
            }
            // The index has no more entries once a short batch is read to its end.
            if items.count < batch * 2 {
                exhausted = consumed == candidates.count
                break
            }
        }
        return (found, exhausted || found.count < query.limit)
    }

    /// The summary of run `runID` (in a sharded layout: its full id or its base id).
    public func run(_ runID: String) async throws -> RunSummary? {
        let id = try shards.runID(for: runID)
        guard var summary = try await summaries([id])[0] else { return nil }
        if summary.status == .failed, summary.errorLocation == nil {
            // The failure's YAML location is kept by the run's last history entries (the failed
            // node's execution, or the end), not by the run hash or the final status: one more read,
            // for a failed run only.
            let last = try await client.send(RedisCommand(["LRANGE", DistributedKeys(runID: id).history, "-4", "-1"]))
            let events = (last.array ?? []).compactMap(\.string).compactMap { RedisHistoryEntry.decode($0, sequence: 0) }
            for event in events.reversed() {
                switch event.kind {
                case .runEnded(let end) where end.errorLocation != nil:
                    summary.errorLocation = end.errorLocation
                case .nodeFinished(let e) where e.status == .failed && e.nodeID == summary.failedNodeID:
                    summary.errorLocation = e.errorLocation
                default:
                    continue
                }
                break
            }
        }
        return summary
    }

    /// The summaries of `runIDs` in one round trip (`nil` for a run whose hash is gone).
    private func summaries(_ runIDs: [String]) async throws -> [RunSummary?] {
        guard !runIDs.isEmpty else { return [] }
        var commands: [RedisCommand] = []
        for id in runIDs {
            let keys = DistributedKeys(runID: id)
            commands.append(RedisCommand([
                "HMGET", keys.run, RunHash.Field.status.rawValue, RunHash.Field.blueprintID.rawValue,
                RunHash.Field.blueprintVersion.rawValue, RunHash.Field.startedAt.rawValue,
                RunHash.Field.finishedAt.rawValue, RunHash.Field.parent.rawValue, RunHash.Field.failedReason.rawValue,
                RunHash.Field.redriveCount.rawValue,
            ]))
            commands.append(RedisCommand(["GET", keys.status]))
        }
        let replies = try await client.pipeline(commands)
        return runIDs.enumerated().map { i, id in
            Self.summary(id, fields: replies[2 * i].array ?? [], final: replies[2 * i + 1].string)
        }
    }

    static func summary(_ runID: String, fields: [RedisReply], final: String?) -> RunSummary? {
        guard fields.count == 8, let statusText = fields[0].string, let blueprintID = fields[1].string else { return nil }
        let status: RunHistoryStatus
        switch DistributedRunStatus.Status(rawValue: statusText) {
        case .running?: status = .running
        case .awaiting?: status = .waiting
        case .completed?: status = .completed
        case .failed?: status = .failed
        case .cancelled?: status = .cancelled
        case nil: return nil
        }
        let startedAt = fields[3].string.flatMap { Int64($0) } ?? 0
        var summary = RunSummary(
            runID: runID, blueprintID: blueprintID, blueprintVersion: fields[2].string.flatMap { $0.isEmpty ? nil : $0 },
            status: status, startedAt: startedAt,
            endedAt: status.isActive ? nil : fields[4].string.flatMap { Int64($0) })
        // (Found by review: the count the redrive script keeps was never read, so it showed 0.)
        summary.redriveCount = fields[7].string.flatMap { Int($0) } ?? 0
        if let link = fields[5].string.flatMap(SubflowParentLink.init(json:)) {
            summary.parentRunID = link.runID
            summary.parentNodeID = link.node.nodeID
        }
        if status == .failed || status == .cancelled {
            let object = final.flatMap { try? JSONText.parse($0) }?.objectValue
            summary.error = object?["reason"]?.stringValue ?? fields[6].string
            if status == .failed { summary.failedNodeID = object?["nodeId"]?.stringValue }
        }
        return summary
    }

    /// The events of run `runID` (in a sharded layout: its full id or its base id), oldest first.
    public func events(of runID: String) async throws -> [RunHistoryEvent] {
        let keys = try DistributedKeys(runID: shards.runID(for: runID))
        // Elements the cap dropped, so that numbers survive trimming.
        let dropped = try await client.execute(RunHash.get(.historyDropped, runKey: keys.run)).flatMap { Int($0) } ?? 0
        var entries: [String] = []
        let page = 1_000
        while true {
            let items = try await client.send(RedisCommand([
                "LRANGE", keys.history, String(entries.count), String(entries.count + page - 1),
            ])).array ?? []
            entries += items.compactMap(\.string)
            if items.count < page { break }
        }
        return entries.enumerated().compactMap { i, text in RedisHistoryEntry.decode(text, sequence: dropped + i + 1) }
    }
}
