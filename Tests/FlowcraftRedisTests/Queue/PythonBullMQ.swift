import Foundation
import Testing

/// Runs `scripts/interop/bullmq_tool.py` (the Python `bullmq` package) for interoperability tests.
///
/// Locally the tests are skipped when `python3` cannot import bullmq 3.4.4; on CI (`CI=true`) they
/// run and fail, so a missing package can never make CI green.
enum PythonBullMQ {
    static let toolPath: String = {
        // Tests/FlowcraftRedisTests/Queue/PythonBullMQ.swift → repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("scripts/interop/bullmq_tool.py").path
    }()

    static let isInstalled: Bool = {
        (try? run(["-c", "import bullmq, sys; sys.exit(0 if bullmq.__version__ == '3.4.4' else 1)"], timeout: 30))
            .map { $0.status == 0 } ?? false
    }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs the tool with `redis-url queue command args…` and returns its stdout parsed as JSON.
    static func tool(_ url: String, _ queue: String, _ arguments: [String], timeout: Double = 60) async throws -> Any {
        let output = try await runOffPool([toolPath, url, queue] + arguments, timeout: timeout)
        guard output.status == 0 else {
            throw Failure(description: "bullmq_tool.py \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr.suffix(3000))")
        }
        let text = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// ``run(_:timeout:)`` on its own thread, so waiting never blocks Swift's cooperative pool.
    static func runOffPool(_ arguments: [String], timeout: Double) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(arguments, timeout: timeout) })
            }
        }
    }

    /// Starts the tool without waiting (for a worker that runs alongside the test).
    static func start(_ url: String, _ queue: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", toolPath, url, queue] + arguments
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    /// Runs `python3 arguments…` synchronously (call off the cooperative pool) with a timeout.
    static func run(_ arguments: [String], timeout: Double) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        // Drain the pipes while waiting so a chatty child cannot block on a full pipe.
        let outData = DataBox()
        let errData = DataBox()
        let group = DispatchGroup()
        for (pipe, box) in [(stdout, outData), (stderr, errData)] {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failure(description: "python3 \(arguments.dropFirst().joined(separator: " ")) timed out after \(timeout) s")
        }
        process.waitUntilExit()
        group.wait()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: outData.data, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Records an issue when the package is missing on CI; returns whether tests may use it.
    static func require() -> Bool {
        if isInstalled { return true }
        Issue.record("python3 cannot import bullmq 3.4.4: run scripts/ensure-deps.sh (pip install bullmq==3.4.4)")
        return false
    }
}

/// A mutable byte buffer written by one reader thread and read after it finished.
private final class DataBox: @unchecked Sendable {
    // @unchecked Sendable: written once by the reading thread before `group.leave()`, read only
    // after `group.wait()`, so accesses never overlap.
    var data = Data()
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when the Python bullmq package is importable — or always on CI, where its
    /// absence fails the test.
    static var requiresPythonBullMQ: Self {
        .enabled(if: PythonBullMQ.isInstalled || TestRedis.isCI, "needs python3 with bullmq==3.4.4")
    }
}
