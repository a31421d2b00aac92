import Flowcraft
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built `flowcraft` executable, run by the CLI tests.
enum FlowcraftExecutable {
    /// `flowcraft` in the build products directory holding the test bundle.
    static let url: URL? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("flowcraft")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    /// What a run printed and how it ended.
    struct Outcome: Sendable {
        /// The exit status; -1 when the executable is missing, -2 when the run was killed after its timeout.
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the executable to its end with `arguments`, interrupting it (and killing it half a second
    /// later) after `timeout` seconds: a command that should have been refused fails its test instead
    /// of hanging it.
    ///
    /// The child is started and waited for on a thread of its own: the tests share a cooperative pool
    /// of one thread per core, and a test that blocked one of them while a child ran would stall every
    /// other test — among them the queue's timing-sensitive ones (seen on CI: ten seconds of CLI tests
    /// at the start of the run kept a worker from ever reaching idle within its test's wait).
    static func run(_ arguments: [String], timeout: Double = 60) async throws -> Outcome {
        guard let url else { return Outcome(status: -1, stdout: "", stderr: "no executable") }
        return try await run(command: [url.path] + arguments, timeout: timeout)
    }

    /// Runs `command` (an absolute executable path and its arguments) as ``run(_:timeout:)`` runs
    /// the `flowcraft` executable (e.g. `setpriv … flowcraft …`).
    static func run(command: [String], timeout: Double = 60) async throws -> Outcome {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Outcome, any Error>, Never>) in
            Thread.detachNewThread {
                continuation.resume(returning: Result { try runBlocking(command, timeout: timeout) })
            }
        }
        return try result.get()
    }

    /// ``run(command:timeout:)``'s work, blocking the calling thread (never a cooperative one).
    private static func runBlocking(_ command: [String], timeout: Double) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-out-\(UUID().uuidString)")
        let (out, err) = (files.path + ".out", files.path + ".err")
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        // Files, not pipes: nothing can block on a full pipe, and a killed child leaves no reader waiting.
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            process.interrupt()
            Thread.sleep(forTimeInterval: 0.5)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        return Outcome(
            status: timedOut ? -2 : process.terminationStatus, stdout: stdout,
            stderr: timedOut ? "timed out after \(timeout) s; " + stderr : stderr)
    }
}
