/// Strict UTF-8 validation, run before libyaml sees the bytes (libyaml would silently accept or
/// misreport some malformed sequences, and a clear "not UTF-8" error is better for authors).
enum UTF8Validation {
    /// The byte offset of the first malformed sequence, or `nil` when `bytes` is valid UTF-8
    /// (overlong forms, surrogates and code points above U+10FFFF are malformed).
    static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = bytes.count
        var i = 0
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            let b1 = bytes[i + 1]
            guard b1 >= lower && b1 <= upper else { return i }
            var k = 2
            while k < length {
                let b = bytes[i + k]
                guard b >= 0x80 && b <= 0xBF else { return i }
                k += 1
            }
            i += length
        }
        return nil
    }

    /// 1-based line and column (in Unicode scalars) of a byte offset in valid-up-to-there UTF-8.
    static func lineAndColumn(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var i = 0
        while i < offset && i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }
}
