import Foundation
import Testing

/// Runs the built `flowcraft` executable (next to the test bundle; `swift build --build-tests`
/// builds it) as a user would against a Redis Cluster: one-shot commands (`runs`, `inspect`,
/// `status`, …) and the long-running `flowcraft dashboard`, started with ``ChildProcess`` (their
/// output goes to files; nothing waits on the cooperative pool).
enum ClusterCommandLine {
    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `flowcraft` in the build products directory holding the test bundle.
    static var binary: String? { ChaosTests.flowcraftBinary }

    /// Runs `flowcraft <arguments>` to its end (``RunHistoryTests/run(_:_:)``: on a thread of its own).
    static func run(_ arguments: [String]) async throws -> Outcome {
        let binary = try #require(binary, "the flowcraft executable must be built (swift build --build-tests)")
        let outcome = try await RunHistoryTests.run(binary, arguments)
        return Outcome(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
    }

    /// A running `flowcraft dashboard` and the base URL it printed.
    final class Dashboard: Sendable {
        let process: ChildProcess
        let baseURL: String
        /// Where the dashboard's standard error goes.
        private let log: String

        private init(process: ChildProcess, baseURL: String, log: String) {
            self.process = process
            self.baseURL = baseURL
            self.log = log
        }

        /// Starts `flowcraft dashboard <arguments> --port 0` and waits until it serves.
        static func start(_ arguments: [String]) async throws -> Dashboard {
            let binary = try #require(binary, "the flowcraft executable must be built (swift build --build-tests)")
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-dashboard-\(UUID().uuidString).log").path
            let process = try ChildProcess([binary, "dashboard", "--port", "0"] + arguments, standardError: log)
            let needle = "flowcraft dashboard: serving"
            var text = ""
            for _ in 0..<3000 {
                text = ChildProcess.contents(of: log)
                if text.contains(needle) && text.contains(")\n") { break }
                if !process.isRunning { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            guard let line = text.split(separator: "\n").first(where: { $0.contains(needle) }),
                let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://") })
            else {
                process.send(SIGTERM)
                await process.waitForExit(timeout: .seconds(10))
                try? FileManager.default.removeItem(atPath: log)
                Issue.record("flowcraft dashboard did not start: \(text)")
                throw CancellationError()
            }
            return Dashboard(process: process, baseURL: String(url), log: log)
        }

        /// Stops the dashboard (SIGTERM) and waits for it without blocking a cooperative thread.
        func stop() async {
            process.send(SIGTERM)
            if !(await process.waitForExit(timeout: .seconds(30))) {
                process.send(SIGKILL)
                await process.waitForExit(timeout: .seconds(10))
            }
            try? FileManager.default.removeItem(atPath: log)
        }
    }
}
