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

    @Test func tlsURL() throws {
        let configuration = try RedisConfiguration(
            url: "rediss://:pw@redis.example.com:6380/2?ca=/etc/ca.pem&cert=/etc/client.pem&key=/etc/client.key&sni=cache.internal&verify=ca")
        #expect(configuration.host == "redis.example.com")
        #expect(configuration.port == 6380)
        #expect(configuration.password == "pw")
        #expect(configuration.database == 2)
        #expect(configuration.tls == RedisTLSConfiguration(
            caFile: "/etc/ca.pem", certificateFile: "/etc/client.pem", keyFile: "/etc/client.key",
            serverName: "cache.internal", verification: .certificateOnly))
        #expect(configuration.endpointDescription == "redis.example.com:6380 (TLS)")
        // rediss:// alone: the system trust store and full verification.
        #expect(try RedisConfiguration(url: "rediss://host").tls == RedisTLSConfiguration())
        #expect(try RedisConfiguration(url: "redis://host").tls == nil)
    }

    @Test func tlsOptionsNeedRediss() {
        #expect {
            try RedisConfiguration(url: "redis://host:6379?ca=/etc/ca.pem")
        } throws: { error in
            (error as? RedisError)?.message.contains("option 'ca' needs TLS: use rediss://") == true
        }
        #expect {
            try RedisConfiguration(url: "rediss://host:6379?verify=sometimes")
        } throws: { error in
            (error as? RedisError)?.message.contains("option 'verify' must be full, ca or none") == true
        }
    }

    @Test func sentinelURL() throws {
        let configuration = try RedisConfiguration(
            url: "redis+sentinel://:masterpw@10.0.0.1:26379,10.0.0.2,[::1]:26380/mymaster/3?sentinel_password=s%40pw&command_timeout=2")
        #expect(configuration.sentinel == RedisSentinelConfiguration(
            endpoints: [.init(host: "10.0.0.1", port: 26379), .init(host: "10.0.0.2", port: 26379), .init(host: "::1", port: 26380)],
            masterName: "mymaster", password: "s@pw"))
        #expect(configuration.password == "masterpw")
        #expect(configuration.database == 3)
        #expect(configuration.commandTimeout == .seconds(2))
        #expect(configuration.tls == nil)
        #expect(configuration.endpointDescription == "master 'mymaster' via sentinel 10.0.0.1:26379,10.0.0.2:26379,[::1]:26380")
        let tls = try RedisConfiguration(url: "rediss+sentinel://s1:5000/cache?ca=/ca.pem")
        #expect(tls.sentinel?.endpoints == [.init(host: "s1", port: 5000)])
        #expect(tls.tls?.caFile == "/ca.pem")
    }

    @Test(arguments: [
        "redis+sentinel://host:26379",
        "redis+sentinel://host:26379/",
        "redis+sentinel:///mymaster",
        "redis+sentinel://host:26379/mymaster/x",
        "redis://host?sentinel_password=x",
    ])
    func invalidSentinelURLs(url: String) {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
    }

    /// A password with a raw '/', '?', '#' or '@' used to fail with "port 'w' is not a number" (or
    /// worse, connect to the wrong place): the error says to percent-encode it.
    @Test(arguments: [
        "redis://:pa/w@127.0.0.1:6379",
        "redis://user:secret/w@127.0.0.1:6379/0",
        "redis://:p?w@host:6379",
        "redis://:ab#w@host:6379",
        "redis://:12#x@host",
        "redis+sentinel://:pa/w@host:26379/mymaster",
    ])
    func rawSpecialCharactersInPasswordSayPercentEncode(url: String) {
        #expect {
            try RedisConfiguration(url: url)
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .invalidURL && error.message.contains("must be percent-encoded")
                && !error.message.contains("secret")
        }
    }

    @Test func percentEncodedSpecialCharactersWork() throws {
        let configuration = try RedisConfiguration(url: "redis://:p%2Fa%3Fs%23s%40w%25rd@127.0.0.1:6379")
        #expect(configuration.password == "p/a?s#s@w%rd")
        #expect(configuration.port == 6379)
        #expect {
            try RedisConfiguration(url: "redis://:100%@host")
        } throws: { error in
            (error as? RedisError)?.message.contains("a '%' must be written %25") == true
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
