import Foundation
@testable import FlowcraftRedis
import Testing

/// The TLS transport against a test-owned `redis-server --tls-port` with certificates made by the
/// test: verification against a CA file, host name checks, mutual TLS, and the errors for a wrong
/// CA, a wrong host name and a plain-text server.
@Suite("Redis over TLS", .requiresRedisServerBinary)
struct RedisTLSTests {
    @Test func commandsAndPipeliningOverTLS() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with(certificates: certificates) { server in
            let connection = try await RedisConnection.connect(server.tlsConfiguration())
            #expect(try await connection.send(["PING"]).string == "PONG")
            // A value larger than the TLS record size and the read buffer, both ways.
            let big = [UInt8](repeating: UInt8(ascii: "z"), count: 300_000)
            _ = try await connection.send(bytes: [Array("SET".utf8), Array("big".utf8), big])
            #expect(try await connection.send(["GET", "big"]).bytes == big)
            // Concurrent callers share round trips, as over plain TCP.
            let before = connection.statistics
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let reply = try await connection.send(["ECHO", "m\(index)"])
                        #expect(reply.string == "m\(index)")
                    }
                }
                try await group.waitForAll()
            }
            let after = connection.statistics
            #expect(after.commands - before.commands == 200)
            #expect(after.roundTrips - before.roundTrips < 200)
            await connection.close()
        }
    }

    @Test func rediss_URLWithCAAndAddressIsVerified() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with(certificates: certificates) { server in
            // By IP address: checked against the certificate's IP entry, no SNI.
            let client = try RedisClient(url: "rediss://127.0.0.1:\(server.port)?ca=\(certificates.caFile)")
            #expect(try await client.send(["PING"]).string == "PONG")
            await client.close()
        }
    }

    @Test func mutualTLSWithAClientCertificate() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with(certificates: certificates, requireClientCertificates: true) { server in
            var configuration = server.tlsConfiguration()
            configuration.tls?.certificateFile = certificates.clientCertificateFile
            configuration.tls?.keyFile = certificates.clientKeyFile
            let connection = try await RedisConnection.connect(configuration)
            #expect(try await connection.send(["PING"]).string == "PONG")
            await connection.close()

            // Without a certificate the server refuses the client.
            await #expect {
                _ = try await RedisConnection.connect(server.tlsConfiguration())
            } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.kind == .tls && error.message.contains("requires a client certificate")
            }
        }
    }

    @Test func wrongCAFailsVerificationClearly() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with(certificates: certificates) { server in
            var configuration = server.tlsConfiguration()
            configuration.tls?.caFile = certificates.otherCAFile
            await #expect {
                _ = try await RedisConnection.connect(configuration)
            } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.kind == .tls && error.message.contains("failed verification")
                    && error.message.contains("X509 error") && error.message.contains("trust the CA")
            }
            // The system store does not trust the test CA either.
            configuration.tls?.caFile = nil
            await #expect {
                _ = try await RedisConnection.connect(configuration)
            } throws: { error in
                (error as? RedisError)?.message.contains("failed verification") == true
            }
        }
    }

    @Test func wrongHostNameFailsClearly() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with(certificates: certificates) { server in
            var configuration = server.tlsConfiguration()
            configuration.tls?.serverName = "cache.example.com"
            await #expect {
                _ = try await RedisConnection.connect(configuration)
            } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.kind == .tls && error.message.contains("does not match the name 'cache.example.com'")
            }
            // `verify=ca` accepts the chain whatever the name.
            configuration.tls?.verification = .certificateOnly
            let connection = try await RedisConnection.connect(configuration)
            #expect(try await connection.send(["PING"]).string == "PONG")
            await connection.close()
        }
    }

    @Test func plainTextServerSaysItDidNotSpeakTLS() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with { server in
            var configuration = server.configuration()
            configuration.host = "localhost"
            configuration.tls = RedisTLSConfiguration(caFile: certificates.caFile)
            configuration.connectTimeout = .seconds(2)
            await #expect {
                _ = try await RedisConnection.connect(configuration)
            } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.message.contains("did not speak TLS")
            }
        }
    }

    @Test func plainTextClientOnATLSPortIsToldToUseRediss() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with(certificates: certificates) { server in
            let connection = try await RedisConnection.connect(server.configuration())
            await #expect {
                _ = try await connection.send(["PING"])
            } throws: { error in
                (error as? RedisError)?.message.contains("if this is a TLS port, connect with rediss://") == true
            }
            await connection.close()
        }
    }

    @Test func unreadableCertificateFilesAreNamed() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with(certificates: certificates) { server in
            var configuration = server.tlsConfiguration()
            configuration.tls?.caFile = "/nonexistent/ca.pem"
            await #expect {
                _ = try await RedisConnection.connect(configuration)
            } throws: { error in
                (error as? RedisError)?.message.contains("cannot load the CA file '/nonexistent/ca.pem'") == true
            }
            configuration = server.tlsConfiguration()
            configuration.tls?.certificateFile = certificates.clientCertificateFile
            configuration.tls?.keyFile = certificates.serverKeyFile
            await #expect {
                _ = try await RedisConnection.connect(configuration)
            } throws: { error in
                (error as? RedisError)?.message.contains("cannot load the client key") == true
                    && (error as? RedisError)?.message.contains("key values mismatch") == true
            }
        }
    }

    /// A TLS connection sitting idle gets TLS 1.3 session tickets: that is no reason to reconnect.
    @Test func idleTLSConnectionIsKept() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with(certificates: certificates) { server in
            let connection = try await RedisConnection.connect(server.tlsConfiguration())
            try await Task.sleep(for: ConnectionThread.idleCheckInterval + .milliseconds(200))
            #expect(try await connection.send(["PING"]).string == "PONG")
            #expect(connection.statistics.connects == 1)
            await connection.close()
        }
    }
}
