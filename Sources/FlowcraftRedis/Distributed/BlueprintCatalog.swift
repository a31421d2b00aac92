import Flowcraft

/// The blueprints a worker or client knows, prepared once, by id and version.
public struct BlueprintCatalog: Sendable {
    private var byKey: [String: DistributedBlueprint] = [:]
    private var versionsByID: [String: [String?]] = [:]
    private var byFingerprint: [String: DistributedBlueprint] = [:]

    /// An empty catalog; ``add(_:)`` fills it.
    public init() {}

    /// Prepares every blueprint; throws on the first that cannot be prepared.
    public init(_ blueprints: [WorkflowBlueprint]) throws {
        for blueprint in blueprints { try add(blueprint) }
    }

    /// Prepares `blueprint` and files it under its id and version, replacing a blueprint of the same
    /// id and version; throws when it cannot be prepared (see ``CompiledBlueprint/init(_:)``).
    public mutating func add(_ blueprint: WorkflowBlueprint) throws {
        let compiled = DistributedBlueprint(try CompiledBlueprint(blueprint))
        let version = blueprint.effectiveVersion
        if let previous = byKey[Self.key(blueprint.id, version)] { byFingerprint[previous.fingerprint] = nil }
        byKey[Self.key(blueprint.id, version)] = compiled
        byFingerprint[compiled.fingerprint] = compiled
        if !(versionsByID[blueprint.id] ?? []).contains(version) { versionsByID[blueprint.id, default: []].append(version) }
    }

    /// Whether the catalog holds no blueprint.
    public var isEmpty: Bool { byKey.isEmpty }
    /// The ids of the catalog's blueprints, sorted (each once, whatever its versions).
    public var ids: [String] { versionsByID.keys.sorted() }

    /// The blueprint for a run. A run that records no version (the seed's client never writes one)
    /// runs as the unversioned blueprint, or the only registered version of that id.
    public func blueprint(id: String, version: String?) throws(DistributedError) -> CompiledBlueprint {
        try prepared(id: id, version: version).compiled
    }

    func prepared(id: String, version: String?) throws(DistributedError) -> DistributedBlueprint {
        guard let versions = versionsByID[id] else { throw DistributedError("unknown blueprint '\(id)'", cause: .unknownBlueprint) }
        if let version {
            guard let compiled = byKey[Self.key(id, version)] else {
                throw DistributedError("blueprint '\(id)' has no registered version '\(version)'", cause: .unknownBlueprint)
            }
            return compiled
        }
        if let compiled = byKey[Self.key(id, nil)] { return compiled }
        guard versions.count == 1, let compiled = byKey[Self.key(id, versions[0])] else {
            throw DistributedError("run of blueprint '\(id)' names no version and several versions are registered", cause: .unknownBlueprint)
        }
        return compiled
    }

    /// The blueprint with content fingerprint `fingerprint` (``BlueprintFingerprint``), if this
    /// catalog has it.
    func prepared(fingerprint: String) -> DistributedBlueprint? { byFingerprint[fingerprint] }

    /// Every blueprint as `(id, version, fingerprint)`, sorted: what a worker advertises.
    var advertised: [BlueprintAdvertisement] {
        byKey.values.map { BlueprintAdvertisement(id: $0.compiled.id, version: $0.compiled.blueprint.effectiveVersion, fingerprint: $0.fingerprint) }
            .sorted { ($0.id, $0.version ?? "", $0.fingerprint) < ($1.id, $1.version ?? "", $1.fingerprint) }
    }

    /// Why a run of blueprint `id` at `version` has no blueprint here, naming the versions this
    /// catalog has; `nil` when it has one.
    func versionProblem(id: String, version: String?) -> String? {
        guard let versions = versionsByID[id] else { return nil }
        guard let version, byKey[Self.key(id, version)] == nil else { return nil }
        let known = versions.map { $0.map { "'\($0)'" } ?? "unversioned" }.joined(separator: ", ")
        return "blueprint '\(id)' has no version '\(version)' on this worker (it has \(known))"
    }

    /// The blueprint to read a job's input keys with before the run's version is known: the one an
    /// unversioned run uses, else any version of that id.
    func provisional(id: String) throws(DistributedError) -> DistributedBlueprint {
        guard let versions = versionsByID[id], let first = versions.first else {
            throw DistributedError("unknown blueprint '\(id)'", cause: .unknownBlueprint)
        }
        if let unversioned = byKey[Self.key(id, nil)] { return unversioned }
        guard let prepared = byKey[Self.key(id, first)] else { throw DistributedError("unknown blueprint '\(id)'", cause: .unknownBlueprint) }
        return prepared
    }

    private static func key(_ id: String, _ version: String?) -> String {
        version.map { "\(id)\u{1}\($0)" } ?? id
    }
}
