import Foundation
import Synchronization
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
    static let binary: String? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("flowcraft").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    /// Runs `flowcraft <arguments>` to its end.
    static func run(_ arguments: [String]) async throws -> Outcome {
        let binary = try #require(binary, "the flowcraft executable must be built (swift build --build-tests)")
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = arguments
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let errorText = Mutex(Data())
                let errorDone = DispatchSemaphore(value: 0)
                Thread.detachNewThread {
                    let data = err.fileHandleForReading.readDataToEndOfFile()
                    errorText.withLock { $0 = data }
                    errorDone.signal()
                }
                let output = out.fileHandleForReading.readDataToEndOfFile()
                errorDone.wait()
                process.waitUntilExit()
                continuation.resume(returning: Outcome(
                    status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                    stderr: String(decoding: errorText.withLock { $0 }, as: UTF8.self)))
            }
        }
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
