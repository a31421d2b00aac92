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
            (["cancel", "run-1", "--state-ttl", "99999999999"], "--state-ttl"),
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
        let outcome = try await FlowcraftExecutable.run(full, timeout: 20)
        #expect(outcome.status == 2, "\(full): exit \(outcome.status), \(outcome.stderr)")
        #expect(outcome.stderr.contains(option), "\(full): \(outcome.stderr)")
        #expect(outcome.stderr.contains("must be"), "\(full): \(outcome.stderr)")
    }

    /// `start` and `redrive` took `--state-ttl` and ignored it (the run ends in a worker, whose TTL
    /// applies): they refuse it now, saying where it belongs; `status` never applies one.
    @Test(
        "--state-ttl is refused by the commands whose runs end elsewhere, saying where it belongs",
        arguments: [["start", "chain", "--blueprints", "DIR"], ["redrive", "run-1", "--blueprints", "DIR"]])
    func stateTTLIsRefusedWhereItDoesNothing(_ arguments: [String]) async throws {
        let dir = try directory(["chain.yaml": Self.chain])
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = arguments.map { $0.replacingOccurrences(of: "DIR", with: dir.path) } + ["--state-ttl", "60"] + Self.redis
        let outcome = try await FlowcraftExecutable.run(full, timeout: 20)
        #expect(outcome.status == 2, "\(full): exit \(outcome.status), \(outcome.stderr)")
        #expect(outcome.stderr.contains("--state-ttl: a run's state TTL is set by the command that finishes it"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("flowcraft worker --state-ttl"), "\(outcome.stderr)")
        let status = try await FlowcraftExecutable.run(["status", "run-1", "--state-ttl", "60"] + Self.redis, timeout: 20)
        #expect(status.status == 2 && status.stderr.contains("Unknown option '--state-ttl'"), "\(status.stderr)")
    }

    @Test("a blueprint starting with a UTF-8 byte-order mark validates and runs; positions count from after it")
    func byteOrderMarkIsAccepted() async throws {
        let dir = try directory([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bom.yaml")
        try (Data([0xEF, 0xBB, 0xBF]) + Data(Self.chain.utf8)).write(to: path)
        let validate = try await FlowcraftExecutable.run(["validate", path.path])
        #expect(validate.status == 0, "\(validate.stderr)")
        let simulated = try await FlowcraftExecutable.run(["run", path.path, "--simulate", "--json"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let broken = dir.appendingPathComponent("broken.yaml")
        try (Data([0xEF, 0xBB, 0xBF]) + Data("id: x\nnodes:\n  - { id: a, usse: work }\n".utf8)).write(to: broken)
        let located = try await FlowcraftExecutable.run(["validate", broken.path])
        #expect(located.status == 1)
        #expect(located.stderr.contains("\(broken.path):3:14: error: [UNKNOWN_FIELD]"), "\(located.stderr)")
    }
}
