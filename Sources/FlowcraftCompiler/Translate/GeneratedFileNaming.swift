/// Names of generated files. The build plugin predicts the same names from the inputs alone (it
/// passes them explicitly), so outputs are known before the tool runs.
@usableFromInline package enum GeneratedFileNaming {
    /// The target-wide file: registry and blueprint namespace.
    @usableFromInline package static let registryFileName = "FlowcraftNodes.flowcraft.swift"
    /// Every generated file ends so; the suffix also marks files the generator may delete when stale.
    package static let suffix = ".flowcraft.swift"

    /// `Blueprints/order-fulfillment.yaml` → `order-fulfillment.flowcraft.swift`.
    package static func defaultName(forBlueprintAt path: String) -> String {
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        var stem = Substring(fileName)
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = stem[..<dot] }
        return String(stem) + suffix
    }

    /// `name`, or `name` with `-2`, `-3`, … before the suffix until it is not in `taken` (compared
    /// case-insensitively: macOS file systems are).
    package static func unique(_ name: String, taken: Set<String>) -> String {
        guard taken.contains(name.lowercased()) else { return name }
        let stem = name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
        var n = 2
        while taken.contains("\(stem)-\(n)\(suffix)".lowercased()) { n += 1 }
        return "\(stem)-\(n)\(suffix)"
    }
}
