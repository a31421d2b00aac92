import FlowcraftRedis
import Testing

@Suite("Redis URL parsing")
struct RedisConfigurationTests {
    @Test func hostPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal:6380/4")
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.database == 4)
        #expect(configuration.unixSocketPath == nil)
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
    }

    @Test func defaults() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
        let bare = try RedisConfiguration(url: "redis://")
        #expect(bare.host == "127.0.0.1")
        #expect(bare.port == 6379)
    }

    @Test func userAndPassword() throws {
        let configuration = try RedisConfiguration(url: "redis://alice:s3cret@10.0.0.5:7000/2")
        #expect(configuration.username == "alice")
        #expect(configuration.password == "s3cret")
        #expect(configuration.host == "10.0.0.5")
        #expect(configuration.port == 7000)
        #expect(configuration.database == 2)
    }

    @Test func passwordOnly() throws {
        let configuration = try RedisConfiguration(url: "redis://:hunter2@redis")
        #expect(configuration.username == nil)
        #expect(configuration.password == "hunter2")
        #expect(configuration.host == "redis")
    }

    @Test func loneUserInfoIsTheUserName() throws {
        let configuration = try RedisConfiguration(url: "redis://bob@redis")
        #expect(configuration.username == "bob")
        #expect(configuration.password == nil)
    }

    @Test func percentDecoding() throws {
        let configuration = try RedisConfiguration(url: "redis://us%40er:p%3Ass%2Fw%40rd%20x@host:1/0")
        #expect(configuration.username == "us@er")
        #expect(configuration.password == "p:ss/w@rd x")
        // A raw '@' in the password: the last '@' separates the host.
        let raw = try RedisConfiguration(url: "redis://:p@ss@host")
        #expect(raw.password == "p@ss")
        #expect(raw.host == "host")
    }

    @Test func ipv6Host() throws {
        let configuration = try RedisConfiguration(url: "redis://[::1]:6390/1")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 6390)
        #expect(configuration.database == 1)
        #expect(configuration.endpointDescription == "[::1]:6390")
    }

    @Test func queryOptions() throws {
        let configuration = try RedisConfiguration(
            url: "redis://host?db=5&password=pw&username=carol&connect_timeout=1.5&command_timeout=3&client_name=worker-1")
        #expect(configuration.database == 5)
        #expect(configuration.password == "pw")
        #expect(configuration.username == "carol")
        #expect(configuration.connectTimeout == .milliseconds(1500))
        #expect(configuration.commandTimeout == .seconds(3))
        #expect(configuration.clientName == "worker-1")
    }

    @Test(arguments: ["unix:///var/run/redis.sock?db=2", "redis+unix:///var/run/redis.sock?db=2", "redis-socket:///var/run/redis.sock?db=2"])
    func unixSocket(url: String) throws {
        let configuration = try RedisConfiguration(url: url)
        #expect(configuration.unixSocketPath == "/var/run/redis.sock")
        #expect(configuration.database == 2)
        #expect(configuration.endpointDescription == "unix:/var/run/redis.sock")
    }

    @Test func unixSocketWithCredentials() throws {
        let configuration = try RedisConfiguration(url: "unix://:secret@/tmp/my%20redis.sock?username=dave")
        #expect(configuration.unixSocketPath == "/tmp/my redis.sock")
        #expect(configuration.password == "secret")
        #expect(configuration.username == "dave")
    }

    @Test func tlsIsUnsupported() {
        #expect {
            try RedisConfiguration(url: "rediss://:pw@host:6380")
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .unsupported && error.message.contains("hiredis 0.14")
        }
    }

    @Test(arguments: [
        "localhost:6379",            // no scheme
        "http://localhost",          // wrong scheme
        "redis://host:0",            // port out of range
        "redis://host:70000",
        "redis://host:abc",
        "redis://host/notanumber",
        "redis://host/-1",
        "redis://[::1",              // unterminated IPv6
        "redis://host?db=x",
        "redis://host?bogus=1",
        "redis://host?connect_timeout=-1",
        "redis://:bad%zzescape@host",
        "unix://",                   // no path
        "unix://relative.sock",
    ])
    func invalidURLs(url: String) {
        #expect {
            try RedisConfiguration(url: url)
        } throws: { error in
            (error as? RedisError)?.kind == .invalidURL
        }
    }

    @Test func errorMessagesNeverShowThePassword() {
        do {
            _ = try RedisConfiguration(url: "redis://user:topsecret@host:99999")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }
}
