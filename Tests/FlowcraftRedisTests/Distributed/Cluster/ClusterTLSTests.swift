import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// The engine on a Redis Cluster that speaks only TLS (`rediss+cluster://…?ca=`): clients, the
/// cluster bus (`tls-cluster yes`) and replication (`tls-replication yes`) all over TLS, three masters
/// and three replicas. The slot map's TLS ports are what the client connects to.
@Suite("Cluster over TLS (rediss+cluster://, 16 shards)", .serialized)
struct ClusterTLSTests {
    @Test("100 concurrent diamond runs on two workers over a TLS cluster: each completes, each node committed once")
    func diamondsOverTLS() async throws {
        try await RedisClusterServers.with(tls: true) { cluster in
            let configuration = try cluster.configuration()
            #expect(configuration.tls != nil && configuration.cluster != nil)
            let report = try await ClusterRunLoad(runs: 100, workers: 2).execute(configuration: configuration)
            report.expectEveryRunCompletedOnce()
            #expect(report.runIDs.count == 100)
        }
    }

    @Test("a plain redis+cluster:// URL against the TLS cluster fails with a clear error, not a hang")
    func plainClientIsRefused() async throws {
        try await RedisClusterServers.with(tls: true) { cluster in
            var configuration = try RedisConfiguration(url: cluster.url.replacingOccurrences(of: "rediss+", with: "redis+")
                .components(separatedBy: "?").first ?? "")
            configuration.connectTimeout = .seconds(1)
            configuration.commandTimeout = .seconds(3)
            let client = RedisClient(configuration: configuration)
            await #expect(throws: RedisError.self) {
                _ = try await client.send(["SET", "k", "v"])
            }
            await client.close()
        }
    }
}
