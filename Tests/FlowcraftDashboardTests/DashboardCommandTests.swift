import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `flowcraft dashboard`: option checks, and the binary serving its pages on a free loopback port.
@Suite struct DashboardCommandTests {
    static var binary: String? {
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("flowcraft").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Starts the binary, waits (on a thread of its own) until its standard error says `needle` or it exits.
    static func start(_ arguments: [String], until needle: String) async throws -> (Process, String) {
        let binary = try #require(Self.binary, "the flowcraft executable must be built (swift build --build-tests)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let text = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread.detachNewThread {
                var seen = ""
                while !seen.contains(needle) {
                    let data = err.fileHandleForReading.availableData
                    if data.isEmpty { break }
                    seen += String(decoding: data, as: UTF8.self)
                }
                continuation.resume(returning: seen)
            }
        }
        return (process, text)
    }

    @Test func badOptionsExitWithAUsageError() async throws {
        let (process, text) = try await Self.start(["dashboard", "--port", "70000"], until: "\u{0}")
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(text.contains("--port must be from 0 to 65535 (got 70000)"))
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"] != nil))
    func servesThePagesOnAFreePort() async throws {
        let redis = try #require(ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"])
        let blueprints = Self.packageRoot.appendingPathComponent("Blueprints").path
        let (process, text) = try await Self.start(
            ["dashboard", "--redis", redis, "--port", "0", "--queue", "dashboard-cli", "--blueprints", blueprints],
            until: "flowcraft dashboard: serving")
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let line = try #require(text.split(separator: "\n").first { $0.contains("flowcraft dashboard: serving") })
        let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") })
        let (blueprintsPage, response) = try await URLSession.shared.data(from: try #require(URL(string: "\(url)blueprints")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: blueprintsPage, as: UTF8.self).contains("id=\"bp-order-fulfillment\""))
        let (queues, _) = try await URLSession.shared.data(from: try #require(URL(string: "\(url)api/queues")))
        #expect(String(decoding: queues, as: UTF8.self).contains("\"name\":\"dashboard-cli\""))
        let (_, bad) = try await URLSession.shared.data(from: try #require(URL(string: "\(url)api/runs?limit=0")))
        #expect((bad as? HTTPURLResponse)?.statusCode == 400)
        // Bound to 127.0.0.1, it answers to the loopback names only (DNS rebinding: a foreign name is 421).
        var foreign = URLRequest(url: try #require(URL(string: "\(url)api/runs")))
        foreign.setValue("attacker.example", forHTTPHeaderField: "Host")
        let (_, refused) = try await URLSession.shared.data(for: foreign)
        #expect((refused as? HTTPURLResponse)?.statusCode == 421)
        var local = URLRequest(url: try #require(URL(string: "\(url)api/runs")))
        local.setValue("localhost", forHTTPHeaderField: "Host")
        let (_, answered) = try await URLSession.shared.data(for: local)
        #expect((answered as? HTTPURLResponse)?.statusCode == 200)
    }

    /// A dashboard started while Redis is down waited for it: it exited at once ("cannot be
    /// reached"), so a dashboard deployed next to a Redis still starting (or failing over) was gone.
    /// It now says it waits, and serves once a server answers on the address.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"] != nil))
    func waitsForRedisThenServes() async throws {
        let environment = ProcessInfo.processInfo.environment
        let server = try #require(
            environment["FLOWCRAFT_REDIS_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
                ?? ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first {
                    FileManager.default.isExecutableFile(atPath: $0)
                },
            "needs redis-server (FLOWCRAFT_REDIS_SERVER or /usr/bin)")
        let port = try #require(Self.unusedLoopbackPort())
        let binary = try #require(Self.binary, "the flowcraft executable must be built (swift build --build-tests)")
        let dashboard = Process()
        dashboard.executableURL = URL(fileURLWithPath: binary)
        dashboard.arguments = ["dashboard", "--redis", "redis://127.0.0.1:\(port)", "--port", "0", "--queue", "dashboard-late-redis"]
        // Its log (standard output) and its status lines (standard error), in one pipe.
        let output = Pipe()
        dashboard.standardOutput = output
        dashboard.standardError = output
        try dashboard.run()
        defer {
            dashboard.terminate()
            dashboard.waitUntilExit()
        }
        let waiting = await Self.readOutput(output, until: "trying again until it answers", seconds: 20)
        #expect(waiting.contains("Redis cannot be reached; trying again until it answers"), "\(waiting)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(dashboard.isRunning, "the dashboard exited while Redis was down: \(waiting)")
        let redis = Process()
        redis.executableURL = URL(fileURLWithPath: server)
        redis.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        redis.standardOutput = FileHandle.nullDevice
        try redis.run()
        defer {
            // Killed: a child of the test process inherits its blocked signals (SIGTERM among them).
            kill(redis.processIdentifier, SIGKILL)
            redis.waitUntilExit()
        }
        let served = await Self.readOutput(output, until: "flowcraft dashboard: serving", seconds: 20)
        let line = try #require(served.split(separator: "\n").first { $0.contains("flowcraft dashboard: serving") }, "\(served)")
        let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") })
        let (queues, response) = try await URLSession.shared.data(from: try #require(URL(string: "\(url)api/queues")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: queues, as: UTF8.self).contains("\"name\":\"dashboard-late-redis\""))
    }

    /// A connection that never completes its request (half-open, or a request trickled in byte by
    /// byte) was kept open for ever; `--idle-timeout` closes it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"] != nil))
    func idleConnectionsAreClosed() async throws {
        let redis = try #require(ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"])
        let (process, text) = try await Self.start(
            ["dashboard", "--redis", redis, "--port", "0", "--queue", "dashboard-idle", "--idle-timeout", "1"],
            until: "flowcraft dashboard: serving")
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let line = try #require(text.split(separator: "\n").first { $0.contains("flowcraft dashboard: serving") })
        let address = try #require(line.range(of: "http://127.0.0.1:"))
        let port = try #require(Int(line[address.upperBound...].prefix { $0.isNumber }))
        // A request head that never ends; the server must close the connection (read returns 0)
        // about a second later, well before this test's 15 s.
        let closedAfter = await Self.secondsUntilClosed(port: port, sending: "GET /queues HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", limit: 15)
        let seconds = try #require(closedAfter, "the connection was still open after 15 s")
        #expect(seconds >= 0.5, "closed after \(seconds) s, before the idle timeout")
    }

    /// Connects to `port` on loopback, sends `text`, and waits (on a thread of its own) until the
    /// server closes the connection: the seconds that took, or `nil` after `limit` seconds.
    static func secondsUntilClosed(port: Int, sending text: String, limit: Double) async -> Double? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Double?, Never>) in
            Thread.detachNewThread {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                    }
                }
                guard connected else { return continuation.resume(returning: nil) }
                let bytes = Array(text.utf8)
                _ = send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                let start = Date()
                var buffer = [UInt8](repeating: 0, count: 512)
                while Date().timeIntervalSince(start) < limit {
                    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&poller, 1, 100) >= 0 else { break }
                    if poller.revents == 0 { continue }
                    if recv(fd, &buffer, buffer.count, 0) <= 0 {
                        return continuation.resume(returning: Date().timeIntervalSince(start))
                    }
                }
                continuation.resume(returning: nil)
            }
        }
    }

    /// What `pipe` says until `needle` (or end of file, or `seconds`), read on a thread of its own.
    static func readOutput(_ pipe: Pipe, until needle: String, seconds: Double) async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(seconds)
                var seen = ""
                let fd = pipe.fileHandleForReading.fileDescriptor
                var buffer = [UInt8](repeating: 0, count: 4096)
                while !seen.contains(needle), Date() < deadline {
                    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&poller, 1, 100) >= 0 else { break }
                    if poller.revents == 0 { continue }
                    let count = read(fd, &buffer, buffer.count)
                    if count <= 0 { break }
                    seen += String(decoding: buffer[0..<count], as: UTF8.self)
                }
                continuation.resume(returning: seen)
            }
        }
    }

    /// A loopback port nothing listens on now (the kernel's pick for a bind to port 0).
    static func unusedLoopbackPort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
