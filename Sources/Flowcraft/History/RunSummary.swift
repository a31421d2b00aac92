import Foundation
import FlowcraftModel

/// The status of a run as its history records it.
public enum RunHistoryStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nodes are running or queued.
    case running
    /// Paused on `sleep`, `wait` or a nested subflow.
    case waiting
    /// Finished successfully.
    case completed
    /// Finished with a failure.
    case failed
    /// Cancelled.
    case cancelled

    /// Whether the run can still change (running or waiting).
    public var isActive: Bool { self == .running || self == .waiting }
}

/// One run as listed by `flowcraft runs` and shown at the top of `flowcraft inspect`.
public struct RunSummary: Sendable, Hashable, Codable {
    /// The run's id.
    public var runID: String
    /// The run's blueprint.
    public var blueprintID: String
    /// The blueprint's version (`BlueprintMetadata.version`), when it declares one.
    public var blueprintVersion: String?
    /// Where the run stands.
    public var status: RunHistoryStatus
    /// Milliseconds since the Unix epoch.
    public var startedAt: Int64
    /// Milliseconds since the Unix epoch; `nil` while the run is active.
    public var endedAt: Int64?
    /// The run that started this one as a subflow.
    public var parentRunID: String?
    /// The subflow node of the parent run that started this one.
    public var parentNodeID: String?
    /// For a failed run: the node that failed it and why.
    public var failedNodeID: String?
    /// Why it failed.
    public var error: String?
    /// The YAML position of the failed node.
    public var errorLocation: SourceLocation?
    /// How many times the run was redriven (0 for a run that never was).
    public var redriveCount: Int

    /// A summary; engines build them from the history.
    public init(
        runID: String, blueprintID: String, blueprintVersion: String? = nil, status: RunHistoryStatus,
        startedAt: Int64, endedAt: Int64? = nil, parentRunID: String? = nil, parentNodeID: String? = nil,
        failedNodeID: String? = nil, error: String? = nil, errorLocation: SourceLocation? = nil,
        redriveCount: Int = 0
    ) {
        self.runID = runID
        self.blueprintID = blueprintID
        self.blueprintVersion = blueprintVersion
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.parentRunID = parentRunID
        self.parentNodeID = parentNodeID
        self.failedNodeID = failedNodeID
        self.error = error
        self.errorLocation = errorLocation
        self.redriveCount = redriveCount
    }

    /// Milliseconds from start to end (`nil` while the run is active).
    public var durationMs: Int64? { endedAt.map { $0 - startedAt } }
}
