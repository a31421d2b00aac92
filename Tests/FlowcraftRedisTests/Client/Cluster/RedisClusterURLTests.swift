import FlowcraftRedis
import Testing

/// `redis+cluster://` and `rediss+cluster://` URLs.
@Suite("Redis Cluster URL parsing")
struct RedisClusterURLTests {
    typealias Endpoint = RedisClusterConfiguration.Endpoint

    private func failure(_ url: String) -> RedisError? {
        do {
            _ = try RedisConfiguration(url: url)
            return nil
        } catch {
            return error
        }
    }

    @Test func seedsCredentialsAndDefaults() throws {
        let configuration = try RedisConfiguration(url: "redis+cluster://alice:s3cret@10.0.0.1:7000,10.0.0.2,[::1]:7002")
        let cluster = try #require(configuration.cluster)
        #expect(cluster.seeds == [
            Endpoint(host: "10.0.0.1", port: 7000), Endpoint(host: "10.0.0.2", port: 6379), Endpoint(host: "::1", port: 7002),
        ])
        #expect(configuration.username == "alice")
        #expect(configuration.password == "s3cret")
        #expect(configuration.database == 0)
        #expect(configuration.tls == nil)
        #expect(cluster.maxRedirects == 5)
        #expect(cluster.retryAttempts == 6)
        #expect(cluster.retryBaseDelay == .milliseconds(50))
        #expect(cluster.retryMaxDelay == .milliseconds(1600))
        #expect(configuration.endpointDescription == "cluster 10.0.0.1:7000,10.0.0.2:6379,[::1]:7002")
    }

    @Test func options() throws {
        let configuration = try RedisConfiguration(
            url: "redis+cluster://h:1/?max_redirects=3&retry_attempts=10&retry_base_delay=0.01&retry_max_delay=2&command_timeout=3")
        let cluster = try #require(configuration.cluster)
        #expect(cluster.maxRedirects == 3)
        #expect(cluster.retryAttempts == 10)
        #expect(cluster.retryBaseDelay == .milliseconds(10))
        #expect(cluster.retryMaxDelay == .seconds(2))
        #expect(configuration.commandTimeout == .seconds(3))
    }

    @Test func tlsTakesTheTLSOptions() throws {
        let configuration = try RedisConfiguration(url: "rediss+cluster://h1:7000,h2:7001?ca=/etc/ca.pem&verify=ca")
        #expect(configuration.cluster?.seeds.count == 2)
        #expect(configuration.tls?.caFile == "/etc/ca.pem")
        #expect(configuration.tls?.verification == .certificateOnly)
        #expect(configuration.endpointDescription.hasSuffix("(TLS)"))
        #expect(failure("redis+cluster://h1:7000?ca=/etc/ca.pem")?.message.contains("needs TLS") == true)
    }

    @Test func badInputNamesTheBadPart() {
        #expect(failure("redis+cluster://")?.message.contains("at least one node") == true)
        #expect(failure("redis+cluster://h1:7000,,h2:7001")?.message.contains("empty node address") == true)
        #expect(failure("redis+cluster://h1:7000,")?.message.contains("empty node address") == true)
        #expect(failure("redis+cluster://h1:70000")?.message.contains("port '70000'") == true)
        #expect(failure("redis+cluster://h1:7000,h2:x")?.message.contains("port 'x'") == true)
        #expect(failure("redis+cluster://h1:7000/2")?.message.contains("only database 0") == true)
        #expect(failure("redis+cluster://h1:7000?db=3")?.message.contains("database 3 is not possible in cluster mode") == true)
        #expect(failure("redis+cluster://h1:7000?max_redirects=-1")?.message.contains("max_redirects") == true)
        #expect(failure("redis+cluster://h1:7000?retry_attempts=0")?.message.contains("retry_attempts") == true)
        #expect(failure("redis://h1:7000?max_redirects=2")?.message.contains("needs a redis+cluster://") == true)
        #expect(failure("redis+cluster://:pass@:7000")?.message.contains("has no host") == true)
        #expect(failure("redis+cluster://h1:7000")?.kind == nil)
    }

    @Test func databaseZeroIsAccepted() throws {
        #expect(try RedisConfiguration(url: "redis+cluster://h1:7000/0").cluster != nil)
        #expect(try RedisConfiguration(url: "redis+cluster://h1:7000/").cluster != nil)
    }
}
