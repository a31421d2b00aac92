import Flowcraft
import Logging

/// The cluster half of ``RedisClient``: one ``RedisConnectionPool`` per master, the slot map, and
/// the loop that sends a command to its slot's master and follows redirections
/// (``ClusterRedirectState`` decides, this class does the I/O).
///
/// The map is loaded on first use from the known masters, then the seeds (`CLUSTER SHARDS`, or
/// `CLUSTER SLOTS` on servers older than Redis 7), and reloaded after `MOVED` (in the background),
/// `CLUSTERDOWN` and unreachable nodes (before the retry). Only one reload runs at a time.
final class RedisClusterRouter: Sendable {
    typealias Endpoint = RedisClusterConfiguration.Endpoint

    private struct State {
        var map = ClusterSlotMap()
        var pools: [Endpoint: RedisConnectionPool] = [:]
        /// The reload in progress, awaited by everyone needing a fresh map.
        var refresh: Task<Void, Never>?
        /// Scripts to load on every master, including masters learnt later.
        var scripts: [RedisScript] = []
        /// Masters whose pool connections have been given ``scripts``.
        var scriptsLoadedOn: Set<Endpoint> = []
        /// Why the last reload found no map when every node refused it for lack of permission
        /// (`NOPERM`): no retry can help, so commands fail at once with this.
        var mapDenied: String?
        var closed = false
    }

    /// What the router has done since it was created (for tests and diagnostics).
    struct Counters: Sendable, Equatable {
        /// `MOVED` replies followed.
        var moved = 0
        /// `ASK` replies followed.
        var asked = 0
        /// Retries after `TRYAGAIN`, `CLUSTERDOWN` or an unreachable node.
        var retries = 0
        /// Slot maps loaded.
        var mapsLoaded = 0
    }

    let configuration: RedisConfiguration
    private let counters = PthreadMutex(Counters())
    private let cluster: RedisClusterConfiguration
    private let poolSize: Int
    private let logger: Logger
    private let state = PthreadMutex(State())

    init(configuration: RedisConfiguration, cluster: RedisClusterConfiguration, poolSize: Int, logger: Logger) {
        self.configuration = configuration
        self.cluster = cluster
        self.poolSize = poolSize
        self.logger = logger
    }

    // MARK: - Commands

    /// Sends one command to its slot's master; an error reply throws ``RedisError/Kind/server``.
    func send(_ command: RedisCommand, timeout: Duration?) async throws(RedisError) -> RedisReply {
        let reply = try await run(command, slot: try RedisClusterSlot.of(command: command), timeout: timeout)
        if case .error(let message) = reply { throw .server(message, command: command.name) }
        return reply
    }

    /// Sends the commands grouped by node, one pipeline per node, concurrently; returns the replies in
    /// the caller's order (error replies as elements, as ``RedisConnection/pipeline(_:timeout:)`` does).
    /// Commands redirected or refused for the moment are sent again one by one through ``run``.
    func pipeline(_ commands: [RedisCommand], timeout: Duration?) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        var replies = [RedisReply](repeating: .null, count: commands.count)
        var slots = [Int?](repeating: nil, count: commands.count)
        var groups: [Endpoint: [Int]] = [:]
        var retry: [Int] = []
        for (index, command) in commands.enumerated() {
            do throws(RedisError) {
                slots[index] = try RedisClusterSlot.of(command: command)
            } catch {
                replies[index] = .error(error.message)
                continue
            }
            switch try await master(for: slots[index]) {
            case .success(let node): groups[node, default: []].append(index)
            case .failure: retry.append(index)
            }
        }
        let batches = groups.map { node, indices in (node, indices, indices.map { commands[$0] }) }
        let results: [(node: Endpoint, indices: [Int], result: Result<[RedisReply], RedisError>)] = await withTaskGroup(
            of: (Endpoint, [Int], Result<[RedisReply], RedisError>).self
        ) { group in
            for (node, indices, batch) in batches {
                group.addTask {
                    do throws(RedisError) {
                        let pool = try self.pool(for: node)
                        return (node, indices, .success(try await pool.connection().pipeline(batch, timeout: timeout)))
                    } catch {
                        return (node, indices, .failure(error))
                    }
                }
            }
            var collected: [(node: Endpoint, indices: [Int], result: Result<[RedisReply], RedisError>)] = []
            for await entry in group { collected.append((entry.0, entry.1, entry.2)) }
            return collected
        }
        for (node, indices, result) in results {
            switch result {
            case .success(let nodeReplies):
                for (position, index) in indices.enumerated() {
                    let reply = position < nodeReplies.count ? nodeReplies[position] : .error("ERR missing reply")
                    replies[index] = reply
                    if let message = reply.errorMessage, Self.needsClusterHandling(message) {
                        if message.hasPrefix("MOVED "), let (slot, target) = ClusterRedirectState.parseRedirection(message) {
                            learn(slot: slot, owner: resolve(target, answeredBy: node))
                            counters.withLock { $0.moved += 1 }
                        }
                        retry.append(index)
                    }
                }
            case .failure(let error):
                // Possibly executed (reply lost, timeout): the caller decides, as with one node.
                guard error.neverSent else { throw error }
                retry.append(contentsOf: indices)
            }
        }
        for index in retry.sorted() {
            replies[index] = try await run(commands[index], slot: slots[index], timeout: timeout)
        }
        return replies
    }

    /// Error replies the cluster loop handles rather than the caller.
    private static func needsClusterHandling(_ message: String) -> Bool {
        message.hasPrefix("MOVED ") || message.hasPrefix("ASK ") || message.hasPrefix("TRYAGAIN")
            || message.hasPrefix("CLUSTERDOWN")
    }

    /// Sends `command` (for `slot`; any master when `nil`) until it gets a reply that is not a
    /// redirection, following ``ClusterRedirectState``'s decisions. Error replies are returned.
    private func run(_ command: RedisCommand, slot: Int?, timeout: Duration?) async throws(RedisError) -> RedisReply {
        var redirects = ClusterRedirectState(cluster)
        var askTarget: Endpoint?
        while true {
            var answeredBy: Endpoint?
            let outcome: Result<RedisReply, RedisError>
            if let target = askTarget {
                answeredBy = target
                outcome = await attempt(on: target) { connection throws(RedisError) in
                    let replies = try await connection.pipeline([RedisCommand(["ASKING"]), command], timeout: timeout)
                    guard replies.count == 2 else { throw .protocol("expected 2 replies to ASKING", command: command.name) }
                    return replies[1]
                }
                askTarget = nil
            } else {
                switch try await master(for: slot) {
                case .success(let node):
                    answeredBy = node
                    outcome = await attempt(on: node) { connection throws(RedisError) in
                        let replies = try await connection.pipeline([command], timeout: timeout)
                        guard let reply = replies.first else { throw .protocol("no reply", command: command.name) }
                        return reply
                    }
                case .failure(let error):
                    outcome = .success(.error(error.message))
                }
            }
            let decision: ClusterRedirectState.Decision
            switch outcome {
            case .success(let reply):
                guard let message = reply.errorMessage else { return reply }
                decision = redirects.afterErrorReply(message, command: command.name, slot: slot)
                if decision == .deliver { return reply }
            case .failure(let error):
                decision = redirects.afterFailure(error, slot: slot)
                if decision == .deliver { throw error }
            }
            switch decision {
            case .deliver:
                continue
            case .fail(let error):
                throw error
            case .moved(let slot, let node):
                learn(slot: slot, owner: resolve(node, answeredBy: answeredBy))
                counters.withLock { $0.moved += 1 }
                scheduleRefresh()
            case .ask(_, let node):
                askTarget = resolve(node, answeredBy: answeredBy)
                counters.withLock { $0.asked += 1 }
            case .retry(let delay, let refreshMap):
                counters.withLock { $0.retries += 1 }
                try? await Task.sleep(for: delay)
                if isClosed { throw .closed(command: command.name) }
                if refreshMap { await refresh() }
            }
        }
    }

    /// Runs `body` on a connection of `node`'s pool.
    private func attempt(
        on node: Endpoint, _ body: (RedisConnection) async throws(RedisError) -> RedisReply
    ) async -> Result<RedisReply, RedisError> {
        do throws(RedisError) {
            return .success(try await body(try pool(for: node).connection()))
        } catch {
            return .failure(error)
        }
    }

    /// An empty host in a redirection means the node that sent it.
    private func resolve(_ node: Endpoint, answeredBy: Endpoint?) -> Endpoint {
        guard node.host.isEmpty, let answeredBy else { return node }
        return Endpoint(host: answeredBy.host, port: node.port)
    }

    /// The master for `slot` (any master for `nil`), loading the map first if there is none; a
    /// `CLUSTERDOWN` failure when no master serves the slot.
    private func master(for slot: Int?) async throws(RedisError) -> Result<Endpoint, RedisError> {
        if let known = lookUp(slot) { return .success(known) }
        if isClosed { throw .closed() }
        await refresh()
        if let known = lookUp(slot) { return .success(known) }
        if let denied = state.withLock({ $0.mapDenied }) { return .failure(.server(denied)) }
        let what = slot.map { "hash slot \($0)" } ?? "any slot"
        return .failure(.server("CLUSTERDOWN no master known for \(what) (cluster seeds: "
            + cluster.seeds.map(\.description).joined(separator: ",") + ")"))
    }

    private func lookUp(_ slot: Int?) -> Endpoint? {
        state.withLock { state in
            if let slot { return state.map.master(forSlot: slot) }
            return state.map.masters.first
        }
    }

    private func learn(slot: Int, owner: Endpoint) {
        state.withLock { $0.map.assign(slot: slot, to: owner) }
    }

    // MARK: - Nodes

    /// `node`'s pool, created on first use.
    private func pool(for node: Endpoint) throws(RedisError) -> RedisConnectionPool {
        let pool: RedisConnectionPool? = state.withLock { state in
            if state.closed { return nil }
            if let pool = state.pools[node] { return pool }
            let pool = RedisConnectionPool(size: poolSize, configuration: nodeConfiguration(node), logger: logger)
            state.pools[node] = pool
            return pool
        }
        guard let pool else { throw .closed() }
        return pool
    }

    /// The client's settings for a connection to `node` (no cluster or sentinel lookup).
    func nodeConfiguration(_ node: Endpoint) -> RedisConfiguration {
        var settings = configuration
        settings.cluster = nil
        settings.sentinel = nil
        settings.unixSocketPath = nil
        settings.database = 0
        settings.host = node.host
        settings.port = node.port
        return settings
    }

    /// A new connection to the master of `key`'s slot (any master for `nil`), outside the pools;
    /// an unreachable master is retried after reloading the map, like a command never sent.
    func dedicatedConnection(forKey key: String?, scripts: [RedisScript]) async throws(RedisError) -> RedisConnection {
        let slot = key.map { RedisClusterSlot.of($0) }
        var redirects = ClusterRedirectState(cluster)
        while true {
            let outcome: Result<RedisConnection, RedisError>
            switch try await master(for: slot) {
            case .success(let node):
                do throws(RedisError) {
                    outcome = .success(try await RedisConnection.connect(nodeConfiguration(node), logger: logger, scripts: scripts))
                } catch {
                    outcome = .failure(error.markedNeverSent())
                }
            case .failure(let error):
                outcome = .failure(RedisError.connection(error.message).markedNeverSent())
            }
            switch outcome {
            case .success(let connection):
                return connection
            case .failure(let error):
                guard case .retry(let delay, _) = redirects.afterFailure(error, slot: slot) else { throw error }
                try? await Task.sleep(for: delay)
                if isClosed { throw .closed() }
                await refresh()
            }
        }
    }

    /// A redirection or node failure seen on a dedicated connection (outside the pools): `MOVED`
    /// records the new owner and reloads the map in the background; `ASK` changes nothing (the
    /// migration is not finished); a node that is down or demoted reloads the map now.
    func noteDedicatedConnectionFailure(_ error: RedisError) async {
        if error.serverErrorCode == "MOVED", let (slot, node) = ClusterRedirectState.parseRedirection(error.message), !node.host.isEmpty {
            learn(slot: slot, owner: node)
            counters.withLock { $0.moved += 1 }
            scheduleRefresh()
        } else if error.isNodeDown || error.serverErrorCode == "READONLY" {
            await refresh()
        }
    }

    // MARK: - Slot map

    /// Reloads the map in the background unless a reload is running (after `MOVED`).
    private func scheduleRefresh() {
        _ = startRefresh()
    }

    /// Reloads the map now, or waits for the reload already running.
    private func refresh() async {
        await startRefresh()?.value
    }

    private func startRefresh() -> Task<Void, Never>? {
        state.withLock { state in
            if state.closed { return nil }
            if let running = state.refresh { return running }
            let task = Task { await self.reload() }
            state.refresh = task
            return task
        }
    }

    /// Asks the known masters, then their replicas, then the seeds for the slot map; installs the
    /// first complete-looking answer and loads the scripts on masters that are new.
    private func reload() async {
        let (masters, replicas, connected) = state.withLock { state in
            (
                state.map.masters, state.map.masters.flatMap { state.map.replicas[$0] ?? [] },
                Set(state.pools.filter { $0.value.connections.contains { $0.isConnected } }.keys)
            )
        }
        var candidates: [Endpoint] = []
        for node in masters + replicas + cluster.seeds where !candidates.contains(node) {
            candidates.append(node)
        }
        // Nodes with a live connection first: a node that just went down would make every reload
        // wait for its connection attempt (and back-off) before asking the next one.
        let live = candidates.filter { connected.contains($0) }
        candidates = live + candidates.filter { !connected.contains($0) }
        var loaded: ClusterSlotMap?
        var failures: [String] = []
        for node in candidates {
            do throws(RedisError) {
                let map = try await fetchMap(from: node)
                if !map.masters.isEmpty {
                    loaded = map
                    break
                }
                failures.append("\(node): no slots assigned")
            } catch {
                failures.append("\(node): \(error)")
            }
        }
        if loaded != nil { counters.withLock { $0.mapsLoaded += 1 } }
        let denied = loaded == nil && !failures.isEmpty && failures.allSatisfy { $0.contains("NOPERM") }
        let newMasters: [Endpoint] = state.withLock { state in
            state.refresh = nil
            state.mapDenied = denied
                ? "NOPERM cannot read the Redis Cluster slot map: the user may run neither CLUSTER SHARDS nor CLUSTER SLOTS "
                    + "(grant +cluster|shards +cluster|slots +asking on every node; "
                    + (failures.first ?? "") + ")"
                : nil
            guard let loaded else { return [] }
            state.map = loaded
            return loaded.masters.filter { !state.scriptsLoadedOn.contains($0) }
        }
        if loaded == nil {
            logger.warning("Redis Cluster slot map could not be loaded", metadata: ["nodes": "\(failures)"])
        }
        for node in newMasters { await loadScripts(on: node) }
    }

    private func fetchMap(from node: Endpoint) async throws(RedisError) -> ClusterSlotMap {
        let existing: RedisConnectionPool? = state.withLock { $0.pools[node] }
        let temporary: RedisConnection?
        let connection: RedisConnection
        if let existing {
            temporary = nil
            connection = try existing.connection()
        } else {
            var settings = nodeConfiguration(node)
            settings.reconnectBaseDelay = .zero
            let opened = try await RedisConnection.connect(settings, logger: logger, scripts: [])
            temporary = opened
            connection = opened
        }
        defer { if let temporary { Task { await temporary.close() } } }
        let replies = try await connection.pipeline([RedisCommand(["CLUSTER", "SHARDS"])], timeout: nil)
        if let reply = replies.first, reply.errorMessage == nil {
            return try ClusterSlotMap.parse(shards: reply, queried: node, tls: configuration.tls != nil)
        }
        // Before Redis 7.0 there is no CLUSTER SHARDS (and a user may be allowed only CLUSTER SLOTS).
        let slots = try await connection.pipeline([RedisCommand(["CLUSTER", "SLOTS"])], timeout: nil).first ?? .null
        if let refused = slots.errorMessage {
            // Both refused: name both (a permission error names the command the user lacks).
            let shards = replies.first?.errorMessage ?? "no reply"
            throw .server("CLUSTER SHARDS: \(shards); CLUSTER SLOTS: \(refused)", command: "CLUSTER")
        }
        return try ClusterSlotMap.parse(slots: slots, queried: node)
    }

    // MARK: - Scripts

    /// Remembers `scripts` and loads them on every current master (and, later, on new ones).
    func preload(_ scripts: [RedisScript]) async throws(RedisError) {
        let masters: [Endpoint] = state.withLock { state in
            for script in scripts where !state.scripts.contains(where: { $0.sha1 == script.sha1 }) {
                state.scripts.append(script)
            }
            state.scriptsLoadedOn = []
            return state.map.masters
        }
        if masters.isEmpty {
            await refresh()
            if lookUp(nil) == nil {
                throw .connection("no Redis Cluster node answered (seeds: "
                    + cluster.seeds.map(\.description).joined(separator: ",") + ")")
            }
            return  // the reload loaded the scripts on every master
        }
        for node in masters {
            let pool = try pool(for: node)
            for connection in pool.connections { try await connection.preload(scripts) }
            _ = state.withLock { $0.scriptsLoadedOn.insert(node) }
        }
    }

    /// Loads the remembered scripts on `node`'s pool; failures are logged (`EVALSHA` falls back to
    /// `EVAL` anyway).
    private func loadScripts(on node: Endpoint) async {
        let scripts = state.withLock { $0.scripts }
        guard !scripts.isEmpty else { return }
        do throws(RedisError) {
            let pool = try pool(for: node)
            for connection in pool.connections { try await connection.preload(scripts) }
            _ = state.withLock { $0.scriptsLoadedOn.insert(node) }
        } catch {
            logger.debug("Loading scripts on a new Redis Cluster master failed", metadata: [
                "node": "\(node)", "error": "\(error)",
            ])
        }
    }

    /// The remembered scripts (for dedicated connections).
    var scripts: [RedisScript] { state.withLock { $0.scripts } }

    // MARK: - Lifecycle

    /// Every node pool's counters added up.
    var statistics: RedisConnectionStatistics {
        let pools = state.withLock { Array($0.pools.values) }
        return pools.reduce(RedisConnectionStatistics()) { total, pool in
            let statistics = pool.statistics
            return RedisConnectionStatistics(
                roundTrips: total.roundTrips + statistics.roundTrips,
                commands: total.commands + statistics.commands,
                connects: total.connects + statistics.connects)
        }
    }

    /// Redirections, retries and map loads so far.
    var redirectCounters: Counters { counters.withLock { $0 } }

    /// The masters currently known (for tests and diagnostics).
    var knownMasters: [Endpoint] { state.withLock { $0.map.masters } }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Closes every node pool. Idempotent.
    func close() async {
        let (pools, refresh) = state.withLock { state in
            state.closed = true
            return (Array(state.pools.values), state.refresh)
        }
        await refresh?.value
        for pool in pools { await pool.close() }
    }
}
