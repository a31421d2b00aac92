import Foundation

/// Writes to the process's standard streams (diagnostics go to stderr, results to stdout).
enum StandardStreams {
    static func error(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func output(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
