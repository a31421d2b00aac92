import CLibYAML
import FlowcraftModel

/// The outcome of parsing one file: the first document's root (if any) and every problem found.
package struct YAMLParseResult: Sendable {
    /// `nil` when the input is empty, or when a fatal problem stopped parsing.
    package var root: YAMLNode?
    package var diagnostics: [Diagnostic]

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Parses YAML (and therefore JSON) through libyaml's event API into a `YAMLNode` tree.
///
/// - Anchors and aliases resolve; `<<` merge keys (a mapping or a list of mappings) apply, explicit
///   keys winning over merged ones and earlier merged mappings over later ones.
/// - Duplicate keys are `DUPLICATE_KEY` errors with a note at the first occurrence (which is kept).
/// - The tree is built with an explicit stack (no recursion), nesting is capped, and aliases are
///   charged their subtree's size against an expansion budget, so alias bombs stop at once.
/// - A file holds one document. A second document is a `YAML_SYNTAX` error; the first is kept.
/// - Input must be UTF-8 (`INVALID_ENCODING`) and at most `limits.maxInputBytes` (`INPUT_TOO_LARGE`).
package struct YAMLParser: Sendable {
    package var limits: YAMLParseLimits

    package init(limits: YAMLParseLimits = .default) {
        self.limits = limits
    }

    /// Parses `text`; `file` names it in diagnostics.
    package func parse(_ text: String, file: String) -> YAMLParseResult {
        var text = text
        return text.withUTF8 { parse(bytes: $0, file: file) }
    }

    /// Parses raw bytes; `file` names them in diagnostics. A UTF-8 byte-order mark at the start is
    /// skipped (lines and columns count from the character after it, as editors show them).
    package func parse(bytes input: UnsafeBufferPointer<UInt8>, file: String) -> YAMLParseResult {
        let bytes = Self.droppingByteOrderMark(input)
        if bytes.count > limits.maxInputBytes {
            return YAMLParseResult(root: nil, diagnostics: [
                .error(
                    .inputTooLarge,
                    "input is \(bytes.count) bytes; the limit is \(limits.maxInputBytes) bytes",
                    at: SourceLocation(file: file, line: 1, column: 1))
            ])
        }
        if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
            let (line, column) = UTF8Validation.lineAndColumn(of: bad, in: bytes)
            let hex = String(bytes[bad], radix: 16, uppercase: true)
            return YAMLParseResult(root: nil, diagnostics: [
                .error(
                    .invalidEncoding,
                    "input is not valid UTF-8 (byte 0x\(hex) at offset \(bad))",
                    at: SourceLocation(file: file, line: line, column: column))
            ])
        }
        var builder = YAMLTreeBuilder(file: file, source: bytes, limits: limits)
        builder.run()
        return YAMLParseResult(root: builder.root, diagnostics: builder.diagnostics)
    }

    /// `bytes` without a leading UTF-8 byte-order mark (EF BB BF).
    static func droppingByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF else { return bytes }
        return UnsafeBufferPointer(rebasing: bytes[3...])
    }
}
