import Foundation
import FlowcraftModel

/// Expands the paths given on a command line into blueprint files.
///
/// A file is taken as given (whatever its extension); a directory is searched recursively for
/// `*.yaml`, `*.yml` and `*.json`, sorted, skipping hidden entries. Paths keep the spelling they
/// were given in (`Blueprints/` + `order.yaml` → `Blueprints/order.yaml`), so diagnostics read
/// like the command line.
package enum BlueprintFileDiscovery {
    package static let extensions: Set<String> = ["yaml", "yml", "json"]

    package static func files(at paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        var seen = Set<String>()
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                diagnostics.append(.error(.ioError, "no such file or directory: \(path)", at: nil))
                continue
            }
            guard isDirectory.boolValue else {
                if seen.insert(path).inserted { files.append(path) }
                continue
            }
            guard let enumerator = fm.enumerator(atPath: path) else {
                diagnostics.append(.error(.ioError, "cannot read directory: \(path)", at: nil))
                continue
            }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let components = relative.split(separator: "/")
                if components.contains(where: { $0.hasPrefix(".") }) { continue }
                guard let ext = relative.split(separator: ".").last.map({ $0.lowercased() }),
                    relative.contains("."), extensions.contains(ext)
                else { continue }
                let full = path.hasSuffix("/") ? path + relative : path + "/" + relative
                var sub: ObjCBool = false
                if fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue { found.append(full) }
            }
            for file in found.sorted() where seen.insert(file).inserted { files.append(file) }
        }
        return (files, diagnostics)
    }

    /// Reads a file's bytes, refusing files larger than `limit` without reading them.
    package enum ReadOutcome: Sendable {
        case bytes([UInt8])
        case failure(Diagnostic)
    }

    package static func read(_ path: String, limit: Int) -> ReadOutcome {
        let fm = FileManager.default
        if let attributes = try? fm.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.intValue, size > limit
        {
            return .failure(.error(
                .inputTooLarge, "input is \(size) bytes; the limit is \(limit) bytes",
                at: SourceLocation(file: path, line: 1, column: 1)))
        }
        guard let data = fm.contents(atPath: path) else {
            return .failure(.error(.ioError, "cannot read file: \(path)", at: nil))
        }
        return .bytes([UInt8](data))
    }
}
