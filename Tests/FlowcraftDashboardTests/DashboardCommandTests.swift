import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
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
}
