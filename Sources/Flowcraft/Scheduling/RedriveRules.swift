import FlowcraftModel

/// Redrive: a failed run continues from the work its failure stopped — the items that failed and
/// the items interrupted with them — keeping every successful node's output, its join progress and
/// its paused nodes (as Step Functions' `RedriveExecution` does). The work those items blocked runs
/// when they complete, by the ordinary routing. The run's status returns to running.
///
/// The rule is engine-independent: the in-memory engine (`FlowRuntime.redrive`) and the distributed
/// engine (`WorkflowClient.redrive`) both ask `refusal(runID:…)`
/// whether a run may be redriven and `itemsToRerun(failed:interrupted:)` what runs again.
///
/// - A failed item runs again as it ran: a node as the node, a fallback that failed as the fallback
///   (with the failed node's input), a batch worker as the worker.
/// - A failure decided by routing (an action no edge routes, `[NO_ROUTE]`; a join that can never fire,
///   `[STUCK_JOIN]`) is refused: no node failed, and running the same graph again decides the same.
/// - A `subflow` node that failed (its child run failed) runs again and starts a new child run.
public enum RedriveRules {
    /// Why a run cannot be redriven. Every message names the run.
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// No such run (or its state expired).
        case unknownRun(runID: String)
        /// The run is not failed: `completed`, `cancelled`, `awaiting` or `running` (a run already
        /// redriven is `running`).
        case notFailed(runID: String, status: String)
        /// The blueprint the run started with is not the one loaded now (version label or graph).
        case blueprintChanged(runID: String, blueprintID: String, detail: String)
        /// The run failed on routing, not on a node: nothing to run again.
        case routingFailure(runID: String, reason: String)
        /// The run failed before any node could record its failure (e.g. a job refused by every
        /// worker): nothing to run again.
        case nothingToRerun(runID: String)
        /// The child run of a `subflow` node: its failure failed its parent, which is the run to
        /// redrive (the subflow node then starts a new child run).
        case childRun(runID: String, parentRunID: String)

        public var description: String {
            switch self {
            case .unknownRun(let runID):
                return "cannot redrive run '\(runID)': no such run (unknown or expired)"
            case .notFailed(let runID, let status):
                let why = status == "running" ? " (already redriven, or still running)" : ""
                return "cannot redrive run '\(runID)': it is \(status)\(why); only a failed run can be redriven"
            case .blueprintChanged(let runID, let blueprintID, let detail):
                return "cannot redrive run '\(runID)': blueprint '\(blueprintID)' changed since the run started (\(detail)); "
                    + "start a new run instead"
            case .routingFailure(let runID, let reason):
                return "cannot redrive run '\(runID)': it failed on routing, not on a node (\(reason)); "
                    + "the same graph would decide the same"
            case .nothingToRerun(let runID):
                return "cannot redrive run '\(runID)': it failed before any node recorded its failure; nothing to run again"
            case .childRun(let runID, let parentRunID):
                return "cannot redrive run '\(runID)': it is the child run of a subflow node; redrive its parent run "
                    + "'\(parentRunID)' (the subflow node starts a new child run)"
            }
        }
    }

    /// Whether a run may be redriven; `nil` when it may.
    ///
    /// - Parameters:
    ///   - status: the run's status (`completed`, `failed`, `cancelled`, `awaiting`, `running`); `nil`
    ///     for an unknown run.
    ///   - startedVersion: the blueprint version label the run started with (`nil`: unversioned).
    ///   - currentVersion: the version label of the blueprint the engine would run it with now; `.some(nil)`
    ///     for unversioned, `nil` when the engine has no blueprint of that id and version at all.
    ///   - startedGraph, currentGraph: digests of the two graphs (``graphDigest(_:)``) when the engine
    ///     keeps one, else `nil` (not compared).
    ///   - failure: the reason the run failed with (routing failures are recognised by their code).
    ///   - rerunCount: how many items would run again (`itemsToRerun(failed:interrupted:)`).
    package static func refusal(
        runID: String, blueprintID: String, status: String?, startedVersion: String?, currentVersion: String??,
        startedGraph: String? = nil, currentGraph: String? = nil, failure: String?, rerunCount: Int
    ) -> Refusal? {
        guard let status else { return .unknownRun(runID: runID) }
        guard status == "failed" else { return .notFailed(runID: runID, status: status) }
        if let failure, isRoutingFailure(failure) { return .routingFailure(runID: runID, reason: failure) }
        guard let current = currentVersion else {
            return .blueprintChanged(
                runID: runID, blueprintID: blueprintID,
                detail: "the run started with \(label(startedVersion)), which is not loaded")
        }
        if current != startedVersion {
            return .blueprintChanged(
                runID: runID, blueprintID: blueprintID,
                detail: "the run started with \(label(startedVersion)), the loaded one is \(label(current))")
        }
        if let startedGraph, let currentGraph, startedGraph != currentGraph {
            return .blueprintChanged(
                runID: runID, blueprintID: blueprintID,
                detail: "\(label(startedVersion)) has another graph now than when the run started")
        }
        if rerunCount == 0 { return .nothingToRerun(runID: runID) }
        return nil
    }

    /// Whether a failure reason is a routing decision (`[NO_ROUTE]`, `[STUCK_JOIN]`, as
    /// `RoutingRules` words them), possibly after a `node '…': ` prefix.
    package static func isRoutingFailure(_ reason: String) -> Bool {
        reason.contains("[NO_ROUTE]") || reason.contains("[STUCK_JOIN]")
    }

    /// The items a redrive runs again: each failed item as it ran, then the items interrupted by the
    /// failure (taken, and stopped before they completed), each once, in that order.
    package static func itemsToRerun(failed: [WorkItem], interrupted: [WorkItem]) -> [WorkItem] {
        var seen: Set<WorkItem> = []
        return (failed + interrupted).filter { seen.insert($0).inserted }
    }

    /// The node ids a redrive names (its `redriven` history event and its `workflowResume` event):
    /// the node that failed the run, then every other node whose work runs again — interrupted, or
    /// ready and not yet taken when the run failed (the distributed engine keeps both as pending
    /// entries, so which of the two a node was depends on timing) — sorted, each once.
    package static func rerunNodeIDs(failed: String, others: [String]) -> [String] {
        [failed] + Set(others).subtracting([failed]).sorted()
    }

    /// A digest of a blueprint's graph — node ids and `uses`, edges with their actions and
    /// conditions, fallbacks — stable across processes (FNV-1a, 64 bits, hex): a snapshot taken with
    /// one graph refers to nodes by position and must not continue on another.
    package static func graphDigest(_ plan: CompiledBlueprint) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            hash ^= 0xff
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for node in plan.nodes {
            mix(node.id)
            mix(node.uses)
        }
        for edge in plan.edges {
            mix(String(edge.source))
            mix(String(edge.target))
            mix(edge.action ?? "")
            mix(edge.definition.condition ?? "")
        }
        for (n, f) in plan.fallbacks.enumerated() {
            if let f {
                mix(String(n))
                mix(String(f))
            }
        }
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    private static func label(_ version: String?) -> String {
        version.map { "version '\($0)'" } ?? "the unversioned blueprint"
    }
}

/// What a failed run keeps so that it can be redriven (in ``RunSnapshot/redrive``).
package struct RedriveState: Sendable, Hashable, Codable {
    /// The items that run again (`RedriveRules.itemsToRerun(failed:interrupted:)`).
    package var items: [WorkItem]
    /// The blueprint version label the run started with.
    package var blueprintVersion: String?
    /// ``RedriveRules/graphDigest(_:)`` of the graph the run ran.
    package var graphDigest: String
    /// How many times the run was redriven before this failure.
    package var redriveCount: Int

    package init(items: [WorkItem], blueprintVersion: String?, graphDigest: String, redriveCount: Int) {
        self.items = items
        self.blueprintVersion = blueprintVersion
        self.graphDigest = graphDigest
        self.redriveCount = redriveCount
    }
}
