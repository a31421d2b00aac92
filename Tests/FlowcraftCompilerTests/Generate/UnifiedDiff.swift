import Foundation

/// A unified diff between two texts (`diff -u`), so a golden-file mismatch shows the lines that
/// differ instead of two whole files.
enum UnifiedDiff {
    /// `diff -u` of `expected` (labelled `expectedLabel`) and `actual` (labelled `actualLabel`);
    /// empty when they are equal. Falls back to the first differing line when `diff` cannot run.
    static func of(
        expected: String, actual: String, expectedLabel: String = "golden", actualLabel: String = "generated"
    ) -> String {
        guard expected != actual else { return "" }
        let directory = FileManager.default.temporaryDirectory
            .appending(path: "flowcraft-diff-\(UUID().uuidString)", directoryHint: .isDirectory)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let left = directory.appending(path: "expected")
            let right = directory.appending(path: "actual")
            try Data(expected.utf8).write(to: left)
            try Data(actual.utf8).write(to: right)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
            process.arguments = ["-u", "--label", expectedLabel, "--label", actualLabel, left.path, right.path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            // diff exits 1 when the files differ, 2 on trouble.
            if process.terminationStatus == 1 { return String(decoding: data, as: UTF8.self) }
        } catch {}
        return firstDifference(expected: expected, actual: actual)
    }

    /// The first line where the texts differ, for when `diff` is not available.
    static func firstDifference(expected: String, actual: String) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(a.count, b.count) {
            let left = index < a.count ? String(a[index]) : "<end of text>"
            let right = index < b.count ? String(b[index]) : "<end of text>"
            if left != right { return "line \(index + 1):\n-\(left)\n+\(right)" }
        }
        return ""
    }
}
