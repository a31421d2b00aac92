import Foundation
@testable import FlowcraftRedis
import Testing

/// The example app built from the generated registry (`flowcraft-example --redis URL`) runs its
/// workflows through the distributed engine: order fulfilment completes, the moderation run pauses
/// inside its review subflow and completes once resumed.
@Suite("flowcraft-example --redis", .requiresRedis)
struct ExampleDistributedTests {
    @Test("the example's workflows run through Redis with the generated registry")
    func exampleRunsDistributed() async throws {
        _ = try TestRedis.configuration()
        let url = try #require(TestRedis.url)
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let binary = try #require(
            [directory, directory.deletingLastPathComponent()].map { $0.appendingPathComponent("flowcraft-example").path }
                .first { FileManager.default.isExecutableFile(atPath: $0) },
            "the flowcraft-example executable must be built (swift build --build-tests)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--redis", url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        // The blocking read runs on a thread of its own, never on the cooperative pool.
        let text = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            Thread.detachNewThread {
                do {
                    try process.run()
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        #expect(process.terminationStatus == 0, "\(text)")
        let statuses = text.split(separator: "\n").filter { $0.contains("status:") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(statuses == ["status: completed", "status: awaiting", "status: completed"], "\(text)")
        #expect(text.contains("✓ notify"))
        #expect(text.contains("✓ record-verdict"))
    }
}
