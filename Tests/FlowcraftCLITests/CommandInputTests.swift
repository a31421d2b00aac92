import Foundation
import Testing

/// Bad command-line input is a usage error naming the option (exit 2), never a crash; a blueprint
/// with a UTF-8 byte-order mark is accepted.
@Suite("flowcraft command input", .enabled(if: FlowcraftExecutable.url != nil))
struct CommandInputTests {
    private func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    /// Runs the executable on a thread of its own (its blocking pipe reads never occupy the
    /// cooperative pool), killing it after `timeout` seconds: a value that is not refused must fail
    /// the test, not hang it (a worker would keep reconnecting to the unreachable Redis).
    private func run(_ arguments: [String], timeout: Double = 30) async throws -> FlowcraftExecutable.Outcome {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<FlowcraftExecutable.Outcome, any Error>, Never>) in
            Thread.detachNewThread {
                continuation.resume(returning: Result { try Self.runWithTimeout(arguments, timeout: timeout) })
            }
        }
        return try result.get()
    }

    private static func runWithTimeout(_ arguments: [String], timeout: Double) throws -> FlowcraftExecutable.Outcome {
        guard let url = FlowcraftExecutable.url else { return .init(status: -1, stdout: "", stderr: "no executable") }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: files.path + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: files.path + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: files.path + ".out")
            try? FileManager.default.removeItem(atPath: files.path + ".err")
        }
        // Files, not pipes: nothing can block on a full pipe, and a killed child leaves no reader waiting.
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: files.path + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: files.path + ".err"))
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            process.interrupt()
            Thread.sleep(forTimeInterval: 0.5)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOfFile: files.path + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: files.path + ".err", encoding: .utf8)) ?? ""
        return .init(
            status: timedOut ? -2 : process.terminationStatus, stdout: stdout,
            stderr: timedOut ? "timed out after \(timeout) s; " + stderr : stderr)
    }

    static let chain = "id: chain\nnodes:\n  - { id: a, uses: work }\n  - { id: b, uses: work }\nedges:\n  - { source: a, target: b }\n"

    /// An unreachable Redis: option validation must refuse the values before any connection.
    static let redis = ["--redis", "redis://127.0.0.1:1"]

    @Test(
        "every numeric option out of range or not finite is a usage error naming it",
        arguments: [
            (["status", "run-1", "--wait", "inf"], "--wait"),
            (["status", "run-1", "--wait", "1e300"], "--wait"),
            (["status", "run-1", "--wait", "nan"], "--wait"),
            (["status", "run-1", "--wait=-1"], "--wait"),
            (["reconcile", "--blueprints", "DIR", "--stalled-threshold", "inf"], "--stalled-threshold"),
            (["reconcile", "--blueprints", "DIR", "--stalled-threshold=-5"], "--stalled-threshold"),
            (["worker", "--blueprints", "DIR", "--simulate", "--concurrency", "1000000"], "--concurrency"),
            (["worker", "--blueprints", "DIR", "--concurrency", "0"], "--concurrency"),
            (["worker", "--blueprints", "DIR", "--lock-duration", "0"], "--lock-duration"),
            (["worker", "--blueprints", "DIR", "--stalled-interval=-1"], "--stalled-interval"),
            (["worker", "--blueprints", "DIR", "--simulate", "--work-ms=-1"], "--work-ms"),
            (["worker", "--blueprints", "DIR", "--state-ttl=-1"], "--state-ttl"),
            (["start", "chain", "--blueprints", "DIR", "--state-ttl", "99999999999"], "--state-ttl"),
            (["queue-worker", "--queue", "q", "--concurrency", "5000"], "--concurrency"),
            (["run", "DIR/chain.yaml", "--simulate", "--concurrency", "0"], "--concurrency"),
            (["run", "DIR/chain.yaml", "--simulate", "--concurrency", "1000000"], "--concurrency"),
            (["run", "DIR/chain.yaml", "--simulate", "--fail", "a=-1"], "--fail"),
            // A negative number after a space is the option's value (not a missing value and a flag).
            (["runs", "--limit", "-3"], "--limit"),
            (["replay", "run-1", "--until", "-1"], "--until"),
            (["status", "run-1", "--wait", "-1"], "--wait"),
            (["worker", "--blueprints", "DIR", "--concurrency", "-4"], "--concurrency"),
            (["worker", "--blueprints", "DIR", "--max-stalled-count", "-1"], "--max-stalled-count"),
            (["run", "DIR/chain.yaml", "--simulate", "--concurrency", "-2"], "--concurrency"),
        ])
    func numericOptionsAreValidated(_ arguments: [String], option: String) async throws {
        let dir = try directory(["chain.yaml": Self.chain])
        defer { try? FileManager.default.removeItem(at: dir) }
        var full = arguments.map { $0.replacingOccurrences(of: "DIR", with: dir.path) }
        if !["run", "queue-worker"].contains(arguments[0]) { full += Self.redis }
        if arguments[0] == "queue-worker" { full += ["--url", "redis://127.0.0.1:1"] }
        let outcome = try await run(full, timeout: 20)
        #expect(outcome.status == 2, "\(full): exit \(outcome.status), \(outcome.stderr)")
        #expect(outcome.stderr.contains(option), "\(full): \(outcome.stderr)")
        #expect(outcome.stderr.contains("must be"), "\(full): \(outcome.stderr)")
    }

    @Test("a blueprint starting with a UTF-8 byte-order mark validates and runs; positions count from after it")
    func byteOrderMarkIsAccepted() async throws {
        let dir = try directory([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bom.yaml")
        try (Data([0xEF, 0xBB, 0xBF]) + Data(Self.chain.utf8)).write(to: path)
        let validate = try await run(["validate", path.path])
        #expect(validate.status == 0, "\(validate.stderr)")
        let simulated = try await run(["run", path.path, "--simulate", "--json"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let broken = dir.appendingPathComponent("broken.yaml")
        try (Data([0xEF, 0xBB, 0xBF]) + Data("id: x\nnodes:\n  - { id: a, usse: work }\n".utf8)).write(to: broken)
        let located = try await run(["validate", broken.path])
        #expect(located.status == 1)
        #expect(located.stderr.contains("\(broken.path):3:14: error: [UNKNOWN_FIELD]"), "\(located.stderr)")
    }
}
