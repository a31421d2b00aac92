import Foundation
import Testing

/// Runs the built `flowcraft` executable (next to the test bundle; `swift build --build-tests`
/// builds it) as a user would against a Redis Cluster: one-shot commands (`runs`, `inspect`,
/// `status`, …) and the long-running `flowcraft dashboard`. The child's pipes are read on threads of
/// their own, never on the cooperative pool.
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
        let process: Process
        let baseURL: String

        private init(process: Process, baseURL: String) {
            self.process = process
            self.baseURL = baseURL
        }

        /// Starts `flowcraft dashboard <arguments> --port 0` and waits until it serves.
        static func start(_ arguments: [String]) async throws -> Dashboard {
            let binary = try #require(ClusterCommandLine.binary, "the flowcraft executable must be built")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["dashboard", "--port", "0"] + arguments
            let err = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            let needle = "flowcraft dashboard: serving"
            let text = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
                Thread.detachNewThread {
                    var seen = ""
                    while !seen.contains(needle) || !seen.contains(")\n") {
                        let data = err.fileHandleForReading.availableData
                        if data.isEmpty { break }
                        seen += String(decoding: data, as: UTF8.self)
                    }
                    continuation.resume(returning: seen)
                }
            }
            guard let line = text.split(separator: "\n").first(where: { $0.contains(needle) }),
                let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://") })
            else {
                process.terminate()
                Issue.record("flowcraft dashboard did not start: \(text)")
                throw CancellationError()
            }
            return Dashboard(process: process, baseURL: String(url))
        }

        /// Stops the dashboard (SIGTERM) and waits for it on a thread of its own.
        func stop() async {
            process.terminate()
            let process = process
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    process.waitUntilExit()
                    continuation.resume()
                }
            }
        }
    }
}
