@testable import FlowcraftRedis
import Testing

/// The per-command redirect and retry decisions, without Redis.
@Suite("Redis Cluster redirect state machine")
struct ClusterRedirectStateTests {
    typealias Endpoint = RedisClusterConfiguration.Endpoint
    private let configuration = RedisClusterConfiguration(seeds: [Endpoint(host: "127.0.0.1", port: 7000)])

    @Test func movedRecordsTheNewOwner() {
        var state = ClusterRedirectState(configuration)
        #expect(state.afterErrorReply("MOVED 3999 127.0.0.1:6381", command: "GET", slot: 3999)
            == .moved(slot: 3999, node: Endpoint(host: "127.0.0.1", port: 6381)))
        #expect(state.redirects == 1)
    }

    @Test func askGoesToTheTargetOnce() {
        var state = ClusterRedirectState(configuration)
        #expect(state.afterErrorReply("ASK 12182 [::1]:7002", command: "SET", slot: 12182)
            == .ask(slot: 12182, node: Endpoint(host: "::1", port: 7002)))
        #expect(state.afterErrorReply("MOVED 1 :7002", command: "SET", slot: 1) == .moved(slot: 1, node: Endpoint(host: "", port: 7002)))
    }

    @Test func tooManyRedirectionsFailNamingCommandAndSlot() {
        var state = ClusterRedirectState(RedisClusterConfiguration(seeds: configuration.seeds, maxRedirects: 2))
        _ = state.afterErrorReply("MOVED 7 a:1", command: "GET", slot: 7)
        _ = state.afterErrorReply("ASK 7 b:2", command: "GET", slot: 7)
        guard case .fail(let error) = state.afterErrorReply("MOVED 7 a:1", command: "GET", slot: 7) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.command == "GET")
        #expect(error.message.contains("too many cluster redirections (2) for slot 7"))
    }

    @Test func tryAgainAndClusterDownBackOffThenFail() {
        var state = ClusterRedirectState(configuration)
        #expect(state.afterErrorReply("TRYAGAIN Multiple keys request during rehashing of slot", command: "DEL", slot: 5)
            == .retry(after: .milliseconds(50), refreshMap: false))
        #expect(state.afterErrorReply("CLUSTERDOWN The cluster is down", command: "DEL", slot: 5)
            == .retry(after: .milliseconds(100), refreshMap: true))
        #expect(state.afterErrorReply("TRYAGAIN x", command: "DEL", slot: 5) == .retry(after: .milliseconds(200), refreshMap: false))
        #expect(state.afterErrorReply("TRYAGAIN x", command: "DEL", slot: 5) == .retry(after: .milliseconds(400), refreshMap: false))
        #expect(state.afterErrorReply("TRYAGAIN x", command: "DEL", slot: 5) == .retry(after: .milliseconds(800), refreshMap: false))
        guard case .fail(let error) = state.afterErrorReply("CLUSTERDOWN Hash slot not served", command: "DEL", slot: 5) else {
            Issue.record("expected a failure after 6 attempts")
            return
        }
        #expect(error.serverErrorCode == "CLUSTERDOWN")
        #expect(error.message.contains("after 6 attempts for slot 5"))
        #expect(error.command == "DEL")
    }

    @Test func theBackOffIsCapped() {
        let state = ClusterRedirectState(configuration)
        #expect(state.delay(forRetry: 1) == .milliseconds(50))
        #expect(state.delay(forRetry: 6) == .milliseconds(1600))
        #expect(state.delay(forRetry: 20) == .milliseconds(1600))
    }

    @Test func otherErrorRepliesAreDelivered() {
        var state = ClusterRedirectState(configuration)
        #expect(state.afterErrorReply("WRONGTYPE Operation against a key", command: "GET", slot: 1) == .deliver)
        #expect(state.afterErrorReply("ERR unknown command", command: "X", slot: nil) == .deliver)
        #expect(state.afterErrorReply("MOVED garbage", command: "GET", slot: 1) == .deliver)
        #expect(state.redirects == 0 && state.retries == 0)
    }

    @Test func onlyCommandsNeverSentAreRetriedAfterAConnectionError() {
        var state = ClusterRedirectState(configuration)
        let refused = RedisError.connection("connection refused", command: "SET").markedNeverSent()
        #expect(state.afterFailure(refused, slot: 3) == .retry(after: .milliseconds(50), refreshMap: true))
        // Lost after sending: it may have run; the caller sees the error as with one server.
        #expect(state.afterFailure(.connection("connection reset", command: "SET"), slot: 3) == .deliver)
        #expect(state.afterFailure(.timeout(command: "SET"), slot: 3) == .deliver)
        #expect(state.afterFailure(RedisError.closed(command: "SET").markedNeverSent(), slot: 3) == .deliver)
        for _ in 0..<4 { _ = state.afterFailure(refused, slot: 3) }
        guard case .fail(let error) = state.afterFailure(refused, slot: 3) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.kind == .connection)
        #expect(error.message.contains("unreachable after 6 attempts for slot 3"))
    }

    @Test func redirectionsAndNodeDownAreRecognisable() {
        #expect(RedisError.server("MOVED 1 a:1").isClusterRedirection)
        #expect(RedisError.server("ASK 1 a:1").isClusterRedirection)
        #expect(!RedisError.server("ERR x").isClusterRedirection)
        #expect(!RedisError.connection("MOVED").isClusterRedirection)
        #expect(RedisError.server("CLUSTERDOWN The cluster is down").isNodeDown)
        #expect(RedisError.server("TRYAGAIN").isNodeDown)
        #expect(RedisError.connection("refused").isNodeDown)
        #expect(RedisError.timeout().isNodeDown)
        #expect(!RedisError.server("WRONGTYPE").isNodeDown)
    }

    @Test func neverSentIsNotPartOfEquality() {
        #expect(RedisError.connection("x").markedNeverSent() == RedisError.connection("x"))
    }
}

/// The connection marks what it never wrote, which is what lets the cluster client retry safely.
@Suite("Redis Cluster never-sent marking")
struct ClusterNeverSentTests {
    @Test func aRefusedConnectionMarksTheCommandNeverSent() async throws {
        // A port nothing listens on (bound and closed again).
        let port = try PrivateRedisServer.freePort()
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        configuration.connectTimeout = .seconds(1)
        let client = RedisClient(configuration: configuration)
        do {
            _ = try await client.send(["SET", "a", "1"])
            Issue.record("expected a connection error")
        } catch {
            #expect(error.kind == .connection)
            #expect(error.neverSent)
            #expect(error.isNodeDown)
        }
        await client.close()
    }
}
