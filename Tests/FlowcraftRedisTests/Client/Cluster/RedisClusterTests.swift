@testable import FlowcraftRedis
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``RedisClient`` in cluster mode against a real six-node Redis Cluster (three masters, three
/// replicas). The tests that only read and write share one cluster; fail-over tests start their own.
@Suite("Redis Cluster client", .requiresRedisServerBinary, .serialized, .redisCluster)
struct RedisClusterTests {
    private func sharedCluster() throws -> RedisClusterServers {
        try #require(RedisClusterServers.current)
    }

    /// A hash tag whose slot the master on `port` serves.
    private func tag(servedBy port: Int, in cluster: RedisClusterServers, prefix: String) async throws -> String {
        for index in 0..<10_000 {
            let candidate = "\(prefix)\(index)"
            if try await cluster.masterPort(forSlot: RedisClusterSlot.of(candidate)) == port { return candidate }
        }
        Issue.record("no tag found for the master on \(port)")
        return prefix
    }

    @Test func setAndGetTwoThousandKeysOverAllSlots() async throws {
        let cluster = try sharedCluster()
        let client = RedisClient(configuration: try cluster.configuration(seeds: 1))
        defer { Task { await client.close() } }
        let prefix = "spread:\(UUID().uuidString):"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in stride(from: worker, to: 2000, by: 8) {
                        _ = try await client.send(["SET", "\(prefix)\(index)", "value-\(index)"])
                    }
                }
            }
            try await group.waitForAll()
        }
        for index in 0..<2000 {
            #expect(try await client.send(["GET", "\(prefix)\(index)"]).string == "value-\(index)")
        }
        // The keys are spread over every master, and the client talked to each of them.
        var perMaster: [Int] = []
        let masters = try await cluster.masterPorts()
        #expect(masters.count == 3)
        for port in masters {
            perMaster.append(try await cluster.send(["DBSIZE"], to: port).int ?? 0)
        }
        #expect(perMaster.allSatisfy { $0 > 400 }, "keys per master: \(perMaster)")
        #expect(Set(client.clusterMasters.map(\.port)) == Set(masters))
        #expect(client.statistics.commands >= 4000)
        #expect(client.statistics.connects >= 3)
    }

    @Test func closeClosesEveryNodePool() async throws {
        let cluster = try sharedCluster()
        let client = RedisClient(configuration: try cluster.configuration())
        for index in 0..<50 { _ = try await client.send(["SET", "close:\(index)", "x"]) }
        #expect(client.clusterMasters.count == 3)
        await client.close()
        #expect(client.isClosed)
        await #expect {
            _ = try await client.send(["GET", "close:1"])
        } throws: { error in
            (error as? RedisError)?.kind == .closed
        }
        await client.close()  // idempotent
    }

    @Test func evalSHAWithKeysInOneSlotRunsOnEachMaster() async throws {
        let cluster = try sharedCluster()
        let client = RedisClient(configuration: try cluster.configuration())
        defer { Task { await client.close() } }
        let script = RedisScript(
            name: "pairSet", source: "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return ARGV[1]")
        try await client.preload([script])
        for port in try await cluster.masterPorts() {
            // Loaded on every master by preload.
            let exists = try await cluster.send(["SCRIPT", "EXISTS", script.sha1], to: port)
            #expect(exists.array?.first?.int == 1, "script not loaded on \(port)")
            let tag = try await tag(servedBy: port, in: cluster, prefix: "eval\(UUID().uuidString.prefix(6))")
            let reply = try await client.evalScript(script, keys: ["{\(tag)}:a", "{\(tag)}:b"], arguments: ["v-\(port)"])
            #expect(reply.string == "v-\(port)")
            #expect(try await cluster.send(["GET", "{\(tag)}:b"], to: port).string == "v-\(port)")
        }
    }

    @Test func aPipelineSpanningNodesReturnsRepliesInOrder() async throws {
        let cluster = try sharedCluster()
        let client = RedisClient(configuration: try cluster.configuration())
        defer { Task { await client.close() } }
        let prefix = "pipe:\(UUID().uuidString):"
        var commands: [[String]] = []
        for index in 0..<300 {
            commands.append(["SET", "\(prefix)\(index)", "\(index)"])
            commands.append(["INCR", "\(prefix)\(index)"])
            commands.append(["GET", "\(prefix)\(index)"])
        }
        commands.append(["PING"])
        commands.append(["DEL", "\(prefix)a", "\(prefix)b"])
        let replies = try await client.pipeline(commands)
        #expect(replies.count == commands.count)
        for index in 0..<300 {
            #expect(replies[3 * index] == .status("OK"))
            #expect(replies[3 * index + 1] == .integer(index + 1))
            #expect(replies[3 * index + 2].string == "\(index + 1)")
        }
        #expect(replies[900] == .status("PONG"))
        // Keys in two slots: a CROSSSLOT error element, as Redis would answer.
        #expect(replies[901].errorMessage?.hasPrefix("CROSSSLOT") == true)
    }

    @Test func aCrossSlotCallFailsLocallyNamingTheKeys() async throws {
        let cluster = try sharedCluster()
        let client = RedisClient(configuration: try cluster.configuration())
        defer { Task { await client.close() } }
        _ = try await client.send(["PING"])
        let before = client.statistics.commands
        await #expect {
            _ = try await client.send(["DEL", "foo", "bar"])
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.serverErrorCode == "CROSSSLOT" && error.command == "DEL"
                && error.message.contains("'foo' (slot 12182)") && error.message.contains("'bar' (slot 5061)")
        }
        #expect(client.statistics.commands == before, "a CROSSSLOT command must not be sent")
    }

    @Test func aDedicatedConnectionGoesToTheKeysMaster() async throws {
        let cluster = try sharedCluster()
        let client = RedisClient(configuration: try cluster.configuration())
        defer { Task { await client.close() } }
        let key = "{marker\(UUID().uuidString)}:m"
        let connection = try await client.dedicatedConnection(forKey: key)
        let masterPort = try await cluster.masterPort(forSlot: RedisClusterSlot.of(key))
        #expect(connection.configuration.port == masterPort)
        async let popped = connection.send(RedisCommand(["BZPOPMIN", key, "5"]), timeout: .seconds(8))
        try await Task.sleep(for: .milliseconds(100))
        _ = try await client.send(["ZADD", key, "1", "job"])
        #expect(try await popped.array?.dropFirst().first?.string == "job")
        await connection.close()
    }

    @Test("a pipeline whose slot moved behind the client's back is re-sent to the new owner")
    func aPipelineFollowsMoved() async throws {
        let cluster = try sharedCluster()
        let client = RedisClient(configuration: try cluster.configuration())
        defer { Task { await client.close() } }
        _ = try await client.send(["PING"])  // loads the map
        // A slot without keys (other tests write all over the cluster) can be handed over directly.
        var tag = ""
        var slot = 0
        var sourcePort = 0
        for attempt in 0..<100 {
            tag = "moved\(attempt)-\(UUID().uuidString.prefix(8))"
            slot = RedisClusterSlot.of(tag)
            sourcePort = try await cluster.masterPort(forSlot: slot)
            if try await cluster.send(["CLUSTER", "COUNTKEYSINSLOT", String(slot)], to: sourcePort).int == 0 { break }
        }
        let masters = try await cluster.masterPorts()
        let targetPort = try #require(masters.first { $0 != sourcePort })
        let targetID = try await cluster.nodeID(port: targetPort)
        let others = try await cluster.masterPorts().filter { $0 != targetPort && $0 != sourcePort }
        for port in [targetPort, sourcePort] + others {
            _ = try await cluster.send(["CLUSTER", "SETSLOT", String(slot), "NODE", targetID], to: port)
        }
        let replies = try await client.pipeline([
            ["SET", "{\(tag)}:a", "1"], ["PING"], ["INCR", "{\(tag)}:a"], ["GET", "{\(tag)}:a"], ["SET", "elsewhere:\(tag)", "x"],
        ])
        #expect(replies == [.status("OK"), .status("PONG"), .integer(2), .bulk(Array("2".utf8)), .status("OK")])
        #expect((client.clusterCounters?.moved ?? 0) >= 3)
        #expect(try await cluster.send(["GET", "{\(tag)}:a"], to: targetPort).string == "2")
    }

    @Test("a live slot migration while a task writes and reads keys of that slot: no command fails (MOVED and ASK followed)")
    func liveSlotMigration() async throws {
        let cluster = try sharedCluster()
        let client = RedisClient(configuration: try cluster.configuration())
        defer { Task { await client.close() } }
        let tag = "mig\(UUID().uuidString.prefix(8))"
        let slot = RedisClusterSlot.of(tag)
        let sourcePort = try await cluster.masterPort(forSlot: slot)
        let masters = try await cluster.masterPorts()
        let targetPort = try #require(masters.first { $0 != sourcePort && $0 != 0 })
        let sourceID = try await cluster.nodeID(port: sourcePort)
        let targetID = try await cluster.nodeID(port: targetPort)
        for index in 0..<300 {
            _ = try await client.send(["SET", "{\(tag)}:\(index)", "\(index)"])
        }

        let stop = Atomic<Bool>(false)
        let writer = Task { () -> (written: Int, failures: [String]) in
            var failures: [String] = []
            var index = 300
            while !stop.load(ordering: .relaxed) {
                do {
                    _ = try await client.send(["SET", "{\(tag)}:\(index)", "\(index)"])
                    let earlier = Int.random(in: 0...index)
                    let read = try await client.send(["GET", "{\(tag)}:\(earlier)"]).string
                    if read != "\(earlier)" { failures.append("GET {\(tag)}:\(earlier) gave \(read ?? "nil")") }
                } catch {
                    failures.append("\(error)")
                }
                index += 1
            }
            return (index, failures)
        }

        _ = try await cluster.send(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID], to: targetPort)
        _ = try await cluster.send(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID], to: sourcePort)
        while true {
            let keys = try await cluster.send(["CLUSTER", "GETKEYSINSLOT", String(slot), "20"], to: sourcePort).array ?? []
            if keys.isEmpty { break }
            _ = try await cluster.send(
                ["MIGRATE", "127.0.0.1", String(targetPort), "", "0", "5000", "KEYS"] + keys.compactMap(\.string), to: sourcePort)
            try await Task.sleep(for: .milliseconds(20))
        }
        let others = try await cluster.masterPorts().filter { $0 != targetPort && $0 != sourcePort }
        for port in [targetPort, sourcePort] + others {
            _ = try await cluster.send(["CLUSTER", "SETSLOT", String(slot), "NODE", targetID], to: port)
        }
        try await Task.sleep(for: .milliseconds(300))
        stop.store(true, ordering: .relaxed)
        let (written, failures) = await writer.value
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(written > 300)
        for index in 0..<written {
            #expect(try await client.send(["GET", "{\(tag)}:\(index)"]).string == "\(index)")
        }
        // Every key of the tag is on the target now (other tests' keys may share the slot: the
        // cluster is shared, so only this tag's keys are counted).
        let onTarget = try await cluster.send(["CLUSTER", "GETKEYSINSLOT", String(slot), String(written + 1_000)], to: targetPort)
            .array?.compactMap(\.string).filter { $0.hasPrefix("{\(tag)}:") }.count
        let onSource = try await cluster.send(["CLUSTER", "COUNTKEYSINSLOT", String(slot)], to: sourcePort).int
        #expect(onTarget == written && onSource == 0, "target \(onTarget ?? -1), source \(onSource ?? -1), written \(written)")
        #expect(try await cluster.masterPort(forSlot: slot) == targetPort)
        // Both kinds of redirection were followed on the way.
        let counters = try #require(client.clusterCounters)
        #expect(counters.asked > 0, "\(counters)")
        #expect(counters.moved > 0, "\(counters)")
    }

    @Test("redis-cli --cluster reshard of 300 slots while a task writes and reads all over the cluster: no command fails")
    func reshardWithRedisCLI() async throws {
        let cluster = try sharedCluster()
        let client = RedisClient(configuration: try cluster.configuration())
        defer { Task { await client.close() } }
        let prefix = "reshard:\(UUID().uuidString):"
        for index in 0..<1000 { _ = try await client.send(["SET", "\(prefix)\(index)", "\(index)"]) }
        let stop = Atomic<Bool>(false)
        let writer = Task { () -> (written: Int, failures: [String]) in
            var failures: [String] = []
            var index = 1000
            while !stop.load(ordering: .relaxed) {
                do {
                    _ = try await client.send(["SET", "\(prefix)\(index)", "\(index)"])
                    let earlier = Int.random(in: 0...index)
                    let read = try await client.send(["GET", "\(prefix)\(earlier)"]).string
                    if read != "\(earlier)" { failures.append("GET \(prefix)\(earlier) gave \(read ?? "nil")") }
                } catch {
                    failures.append("\(error)")
                }
                index += 1
            }
            return (index, failures)
        }
        let masters = try await cluster.masterPorts()
        try await cluster.reshard(slots: 300, from: masters[0], to: masters[1])
        try await Task.sleep(for: .milliseconds(200))
        stop.store(true, ordering: .relaxed)
        let (written, failures) = await writer.value
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        let replies = try await client.pipeline((0..<written).map { ["GET", "\(prefix)\($0)"] })
        #expect(replies.enumerated().allSatisfy { $0.element.string == "\($0.offset)" })
        #expect((client.clusterCounters?.moved ?? 0) > 0)
    }

    @Test("CLUSTER FAILOVER on a replica during a write loop: the client follows and no acknowledged write is lost")
    func manualFailover() async throws {
        try await RedisClusterServers.with { cluster in
            let client = RedisClient(configuration: try cluster.configuration())
            defer { Task { await client.close() } }
            let prefix = "fo:\(UUID().uuidString):"
            let stop = Atomic<Bool>(false)
            let writer = Task { () -> (acknowledged: [Int], failures: [String]) in
                var acknowledged: [Int] = []
                var failures: [String] = []
                var index = 0
                while !stop.load(ordering: .relaxed) {
                    do {
                        _ = try await client.send(["SET", "\(prefix)\(index)", "\(index)"])
                        acknowledged.append(index)
                    } catch {
                        failures.append("\(error)")
                    }
                    index += 1
                }
                return (acknowledged, failures)
            }
            let script = RedisScript(name: "failoverProbe", source: "return 'probe'")
            try await client.preload([script])
            try await Task.sleep(for: .milliseconds(300))
            let masters = try await cluster.masterPorts()
            let masterPort = try #require(masters.first)
            let replicaPort = try await cluster.replicaPort(of: masterPort)
            _ = try? await cluster.send(["SCRIPT", "FLUSH"], to: replicaPort)
            // A blocking connection on a key of that master, from a client with no other traffic.
            let blocker = RedisClient(configuration: try cluster.configuration())
            defer { Task { await blocker.close() } }
            let markerKey = "{\(try await tag(servedBy: masterPort, in: cluster, prefix: "marker"))}:marker"
            let dedicated = try await blocker.dedicatedConnection(forKey: markerKey)
            #expect(dedicated.configuration.port == masterPort)
            _ = try await cluster.send(["CLUSTER", "FAILOVER"], to: replicaPort)
            for _ in 0..<200 {
                let role = try await cluster.send(["ROLE"], to: replicaPort).array?.first?.string
                if role == "master" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await cluster.send(["ROLE"], to: replicaPort).array?.first?.string == "master")
            try await Task.sleep(for: .milliseconds(500))
            stop.store(true, ordering: .relaxed)
            let (acknowledged, failures) = await writer.value
            #expect(failures.isEmpty, "\(failures.prefix(5))")
            #expect((client.clusterCounters?.moved ?? 0) > 0)
            // The demoted master redirects the blocking command; told so, the client reopens the
            // dedicated connection on the promoted master.
            await #expect {
                _ = try await dedicated.send(RedisCommand(["BZPOPMIN", markerKey, "1"]), timeout: .seconds(5))
            } throws: { error in
                guard let error = error as? RedisError else { return false }
                await blocker.noteDedicatedConnectionFailure(error)
                return error.isClusterRedirection
            }
            await dedicated.close()
            let reopened = try await blocker.dedicatedConnection(forKey: markerKey)
            #expect(reopened.configuration.port == replicaPort)
            await reopened.close()
            // The promoted master was given the preloaded scripts when the client learnt of it.
            #expect(try await cluster.send(["SCRIPT", "EXISTS", script.sha1], to: replicaPort).array?.first?.int == 1)
            for index in acknowledged {
                #expect(try await client.send(["GET", "\(prefix)\(index)"]).string == "\(index)")
            }
            #expect(client.clusterMasters.contains { $0.port == replicaPort })
        }
    }

    @Test("SIGKILL of a master during a write loop: the client recovers once the replica is promoted")
    func masterKilled() async throws {
        try await RedisClusterServers.with { cluster in
            let client = RedisClient(configuration: try cluster.configuration())
            defer { Task { await client.close() } }
            let prefix = "kill:\(UUID().uuidString):"
            for index in 0..<200 { _ = try await client.send(["SET", "\(prefix)\(index)", "\(index)"]) }
            let victimPort = try await cluster.masterPorts()[1]
            let victim = try #require(cluster.server(port: victimPort))
            let replicaPort = try await cluster.replicaPort(of: victim.port)
            try await cluster.waitForReplicaSync(masterPort: victim.port)
            await victim.stop(kill: true)
            // Until the replica is promoted (node timeout 2 s + election) commands for its slots fail
            // after the retries; afterwards every slot is served again.
            var consecutive = 0
            var index = 200
            let deadline = ContinuousClock.now + .seconds(30)
            while consecutive < 300, ContinuousClock.now < deadline {
                do {
                    _ = try await client.send(["SET", "\(prefix)\(index)", "\(index)"])
                    consecutive += 1
                } catch {
                    consecutive = 0
                }
                index += 1
            }
            #expect(consecutive >= 300, "the client did not recover after the fail-over")
            #expect((client.clusterCounters?.retries ?? 0) > 0)
            #expect((client.clusterCounters?.mapsLoaded ?? 0) > 1)
            #expect(try await cluster.send(["ROLE"], to: replicaPort).array?.first?.string == "master")
            #expect(client.clusterMasters.contains { $0.port == replicaPort })
            // Keys written before the kill had reached the replica (waited for above); writes
            // acknowledged just before a SIGKILL may be lost (replication is asynchronous).
            for key in 0..<200 {
                #expect(try await client.send(["GET", "\(prefix)\(key)"]).string == "\(key)")
            }
        }
    }
}
