import Flowcraft
import Foundation
import Testing

/// Runs the built `flowcraft` executable (next to the test bundle; `swift build` builds it) to check
/// exit codes and stream use. Skipped when the executable has not been built.
@Suite("flowcraft executable", .enabled(if: FlowcraftExecutable.url != nil))
struct FlowcraftExecutableTests {
    private func blueprintFile(_ text: String, name: String = "flow.yaml") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let clean = """
        id: demo
        nodes:
          - { id: "a \\"quoted\\"", uses: work }
          - { id: b, uses: work }
        edges:
          - { source: "a \\"quoted\\"", target: b, condition: "x > 1" }
        """

    @Test func validateCleanExitsZero() throws {
        let path = try blueprintFile(Self.clean)
        let run = try FlowcraftExecutable.run(["validate", path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ok: 1 blueprint"))
    }

    @Test func validateErrorsExitOneWithLocatedDiagnosticsOnStderr() throws {
        let path = try blueprintFile("nodes:\n  - id: a\n    usse: x\n")
        let run = try FlowcraftExecutable.run(["validate", path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(path):3:5: error: [UNKNOWN_FIELD] unknown field 'usse' in node; did you mean 'uses'?"))
        #expect(run.stdout.isEmpty)
        let json = try FlowcraftExecutable.run(["validate", "--format", "json", path])
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["errors"] as? Int ?? 0) >= 1)
    }

    @Test func missingPathAndBadUsageExitTwo() throws {
        #expect(try FlowcraftExecutable.run(["validate", "/nonexistent/\(UUID().uuidString).yaml"]).status == 2)
        #expect(try FlowcraftExecutable.run(["validate", "--format", "xml", "x.yaml"]).status == 2)
        #expect(try FlowcraftExecutable.run(["validate"]).status == 2)
    }

    @Test func inspectJSONAndGraphFormats() throws {
        let path = try blueprintFile(Self.clean)
        let inspect = try FlowcraftExecutable.run(["inspect", path, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let analyses = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [[String: Any]]
        #expect(analyses?.first?["startNodes"] as? [String] == ["a \"quoted\""])
        let mermaid = try FlowcraftExecutable.run(["graph", path, "--format", "mermaid"])
        #expect(mermaid.status == 0)
        #expect(mermaid.stdout.contains("#quot;quoted#quot;"))
        let dot = try FlowcraftExecutable.run(["graph", path, "--format", "dot", "--blueprint", "demo"])
        #expect(dot.stdout.contains(#""a \"quoted\"" -> "b" [label="[x > 1]"];"#))
        let wrong = try FlowcraftExecutable.run(["graph", path, "--blueprint", "dmeo"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("did you mean 'demo'?"))
    }
}

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

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        guard let url else { return Outcome(status: -1, stdout: "", stderr: "no executable") }
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain stderr on another thread while reading stdout, so neither pipe can fill up and
        // block the child; then wait for it.
        let errReader = ErrorPipeReader(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errReader.wait()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Reads a pipe to its end on a background thread.
private final class ErrorPipeReader: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let data = PthreadMutex(Data())

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let bytes = handle.readDataToEndOfFile()
            data.withLock { $0 = bytes }
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data.withLock { $0 }
    }
}
