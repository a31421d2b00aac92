import Foundation
import Testing

@testable import Flowcraft
@testable import FlowcraftSQLite

/// The SQLite store writes the in-memory engine's compact records directly
/// (``RecordedHistoryRecorder``): the stored rows must be those of the public events the delivery
/// builds for any other recorder.
@Suite("SQLite history written from recorded batches")
struct RecordedHistoryWritingTests {
    static let location = SourceLocation(file: "flow.yaml", line: 12, column: 3)

    static func record(
        _ sequence: Int, _ nodeID: String, status: RunHistoryEvent.NodeExecutionStatus = .completed,
        action: String? = nil, output: JSONValue = .null, details: NodeExecutionRecord.Details? = nil,
        nodeWrites: [RecordedWrite] = [], driverWrites: Range<Int> = 0..<0
    ) -> RecordedHistoryEntry {
        .node(
            NodeExecutionRecord(
                sequence: sequence, preparedAt: 1_000 + Int64(sequence), endedAt: 1_005 + Int64(sequence), nodeID: nodeID,
                status: status, action: action, output: output, details: details,
                nodeWrites: ContiguousArray(nodeWrites), driverWrites: driverWrites))
    }

    /// One run's batch with every shape of node execution: plain, with an action and an output,
    /// node and run writes (internal keys, a key written twice, more than 16 keys), failed with a
    /// location, recovered by a fallback, retried (the last attempt's error replaced), a subflow.
    static func batch(runID: String) -> RecordedHistoryBatch {
        var writes: ContiguousArray<RecordedWrite> = [
            RecordedWrite(key: "_outputs.a", value: .null), RecordedWrite(key: "_inputs.b", value: "x"),
            RecordedWrite(key: "shared", value: "from the run"), RecordedWrite(key: "_flowcraft.batch.s.item.0", value: 1),
        ]
        let manyStart = writes.count
        for i in (0..<20).reversed() { writes.append(RecordedWrite(key: "k\(i)", value: .int(i))) }
        writes.append(RecordedWrite(key: "k3", value: "last"))
        let entries: ContiguousArray<RecordedHistoryEntry> = [
            .event(
                RunHistoryEvent(
                    sequence: 1, time: 1_000,
                    kind: .runStarted(RunHistoryEvent.RunStart(blueprintID: "bp", context: ["in": 1])))),
            record(2, "a", driverWrites: 0..<2),
            record(
                3, "b", action: "go", output: ["big": [1, 2, "three"]],
                nodeWrites: [
                    RecordedWrite(key: "shared", value: "from the node"), RecordedWrite(key: "quote \"q\"", value: 2.5),
                    RecordedWrite(key: "_flowcraft.x", value: 1), RecordedWrite(key: "deleted", value: .null),
                    RecordedWrite(key: "deleted", value: "again"),
                ], driverWrites: 2..<4),
            record(4, "many", driverWrites: manyStart..<writes.count),
            record(
                5, "c", status: .recovered,
                details: NodeExecutionRecord.Details(
                    fallbackNodeID: "safe", childRunID: nil, error: "boom \"1\"", location: location,
                    attempts: [
                        RunHistoryEvent.Attempt(startedAt: 1, endedAt: 2, error: "first"),
                        RunHistoryEvent.Attempt(startedAt: 3, endedAt: 4, error: "second"),
                    ])),
            record(
                6, "d", status: .failed,
                details: NodeExecutionRecord.Details(
                    fallbackNodeID: nil, childRunID: nil, error: "no\nway", location: location, attempts: [])),
            record(
                7, "sub",
                details: NodeExecutionRecord.Details(
                    fallbackNodeID: nil, childRunID: runID + "/sub", error: nil, location: location, attempts: [])),
            record(
                8, "retried",
                details: NodeExecutionRecord.Details(
                    fallbackNodeID: nil, childRunID: nil, error: nil, location: nil,
                    attempts: [
                        RunHistoryEvent.Attempt(startedAt: 1, endedAt: 2, error: "flaky"),
                        RunHistoryEvent.Attempt(startedAt: 3, endedAt: 4),
                    ])),
            .event(
                RunHistoryEvent(
                    sequence: 9, time: 2_000,
                    kind: .runEnded(RunHistoryEvent.RunEnd(status: .failed, failedNodeID: "d", error: "no\nway")))),
        ]
        let summary = RunSummary(
            runID: runID, blueprintID: "bp", blueprintVersion: "2", status: .failed, startedAt: 1_000, endedAt: 2_000,
            failedNodeID: "d", error: "no\nway", errorLocation: location)
        return RecordedHistoryBatch(summary: summary, entries: entries, writes: writes)
    }

    @Test func eachPackedRecordReadsAsItsPublicEvent() throws {
        let batch = Self.batch(runID: "r")
        var packer = SQLiteEventPacker()
        var checked = 0
        for case .node(let record) in batch.entries {
            packer.removeAll()
            packer.append(record, writes: batch.writes)
            var read: [RunHistoryEvent] = []
            try SQLiteEventUnpacker.read(packer.bytes, after: 0, into: &read)
            #expect(read == [batch.event(record)], "\(record.nodeID)")
            checked += 1
        }
        #expect(checked == 7)
    }

    /// A record's visible-write count is packed ahead of its writes in one byte while fewer than 128
    /// (the packer keeps that byte and widens it afterwards): 127, 128 and 300 writes, of which
    /// some are internal and not counted, and a fallback's two output keys built from their ids.
    @Test(arguments: [127, 128, 300])
    func manyVisibleWritesReadAsTheirEvent(count: Int) throws {
        var writes: ContiguousArray<RecordedWrite> = []
        for i in 0..<count { writes.append(RecordedWrite(key: "key-\(i)", value: .int(i))) }
        writes.append(RecordedWrite(key: "_flowcraft.hidden", value: 1))
        let entry = Self.record(
            2, "safe", status: .completed, output: "kept",
            details: NodeExecutionRecord.Details(
                fallbackNodeID: nil, childRunID: nil, error: nil, location: nil, attempts: [], replacedNodeID: "failed"),
            driverWrites: 0..<writes.count)
        guard case .node(var record) = entry else { return }
        record.wroteOutputs = true
        let batch = RecordedHistoryBatch(
            summary: RunSummary(runID: "r", blueprintID: "bp", status: .running, startedAt: 1_000), entries: [.node(record)],
            writes: writes)
        var packer = SQLiteEventPacker()
        packer.append(record, writes: writes)
        var read: [RunHistoryEvent] = []
        try SQLiteEventUnpacker.read(packer.bytes, after: 0, into: &read)
        #expect(read == [batch.event(record)])
        guard case .nodeFinished(let execution)? = read.first?.kind else { return }
        #expect(execution.writes.count == count + 2)
        #expect(execution.writes["_outputs.safe"] == "kept" && execution.writes["_outputs.failed"] == "kept")
    }

    /// A node's output under its own key is packed as a value alone (format 2), unless another
    /// write of the execution has that key: then every write goes in the list with its key, and of
    /// equal keys the later wins, as in the built event.
    @Test(arguments: ["alone", "run writes it later", "node wrote it before"])
    func ownOutputWritePackedWithoutItsKey(shape: String) throws {
        var writes: ContiguousArray<RecordedWrite> = [RecordedWrite(key: "_inputs.next", value: "in")]
        var nodeWrites: [RecordedWrite] = [RecordedWrite(key: "mine", value: 1)]
        switch shape {
        case "run writes it later": writes.append(RecordedWrite(key: "_outputs.node", value: "from the run"))
        case "node wrote it before": nodeWrites.append(RecordedWrite(key: "_outputs.node", value: "from the node"))
        default: break
        }
        guard case .node(var record) = Self.record(
            2, "node", output: ["out": 1], nodeWrites: nodeWrites, driverWrites: 0..<writes.count)
        else { return }
        record.wroteOutputs = true
        let batch = RecordedHistoryBatch(
            summary: RunSummary(runID: "r", blueprintID: "bp", status: .running, startedAt: 1_000), entries: [.node(record)],
            writes: writes)
        #expect(record.hasOwnOutputWriteAlone(in: writes) == (shape == "alone"))
        var packer = SQLiteEventPacker()
        packer.append(record, writes: writes)
        let bytes = packer.bytes
        #expect(bytes.first == SQLitePackedEvents.formatVersion)
        let keyText = Array("_outputs.node".utf8)
        let holdsKey = bytes.indices.contains { bytes[$0...].starts(with: keyText) }
        #expect(holdsKey == (shape != "alone"))
        var read: [RunHistoryEvent] = []
        try SQLiteEventUnpacker.read(bytes, after: 0, into: &read)
        #expect(read == [batch.event(record)])
        guard case .nodeFinished(let execution)? = read.first?.kind else { return }
        let expected: JSONValue = shape == "run writes it later" ? "from the run" : ["out": 1]
        #expect(execution.writes["_outputs.node"] == expected)
        #expect(execution.writes["mine"] == 1 && execution.writes["_inputs.next"] == "in")
    }

    /// Rows packed in format 1 (schema versions 3 and 4: every write with its key) read as before.
    @Test func formatOneRowsStillRead() throws {
        let events = [
            RunHistoryEvent(sequence: 1, time: 1_000, kind: .runStarted(RunHistoryEvent.RunStart(blueprintID: "bp", context: [:]))),
            RunHistoryEvent(
                sequence: 2, time: 1_010,
                kind: .nodeFinished(
                    RunHistoryEvent.NodeExecution(
                        nodeID: "a", status: .completed,
                        attempts: [RunHistoryEvent.Attempt(startedAt: 1_001, endedAt: 1_010)],
                        writes: ["_outputs.a": ["x": 1], "k": "v"]))),
        ]
        var packer = SQLiteEventPacker()
        for event in events { packer.append(event) }
        // Public events pack every write with its key: format 1 but for the version byte.
        var bytes = packer.bytes
        bytes[0] = 1
        var read: [RunHistoryEvent] = []
        try SQLiteEventUnpacker.read(bytes, after: 0, into: &read)
        #expect(read == events)
        bytes[0] = 3
        #expect(throws: SQLiteUnreadableEvent.self) { try SQLiteEventUnpacker.read(bytes, after: 0, into: &read) }
    }

    @Test func storedRowsEqualThoseOfThePublicEvents() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let direct = try await SQLiteRunHistory(path: dir.path("direct.sqlite"))
        let viaEvents = try await SQLiteRunHistory(path: dir.path("events.sqlite"))
        // Two runs, the second handed over in two batches (consecutive batches of one run).
        let first = Self.batch(runID: "one")
        var second = Self.batch(runID: "two")
        var secondTail = second
        second.entries = ContiguousArray(second.entries.prefix(4))
        secondTail.entries = ContiguousArray(secondTail.entries.dropFirst(4))
        let recorded = [first, second, secondTail]
        try await direct.record(recorded: recorded)
        try await viaEvents.record(batches: recorded.map { $0.built() })
        for runID in ["one", "two"] {
            let events = try await direct.events(of: runID)
            #expect(events.count == 9)
            #expect(events == (try await viaEvents.events(of: runID)))
            #expect(try await direct.run(runID) == (try await viaEvents.run(runID)))
        }
    }

    /// A recorded batch longer than the cap: only its newest entries are stored, as of the public
    /// events (the entries are read in place, each kept unless the cap drops it).
    @Test func aCapShorterThanTheBatchKeepsItsNewestEntries() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let options = SQLiteRunHistory.Options(maximumEventsPerRun: 3)
        let direct = try await SQLiteRunHistory(path: dir.path("direct.sqlite"), options: options)
        let viaEvents = try await SQLiteRunHistory(path: dir.path("events.sqlite"), options: options)
        let batch = Self.batch(runID: "capped")
        try await direct.record(recorded: [batch])
        try await viaEvents.record(batches: [batch.built()])
        let events = try await direct.events(of: "capped")
        #expect(events.map(\.sequence) == [7, 8, 9])
        #expect(events == (try await viaEvents.events(of: "capped")))
    }

    /// The engine's delivery empties the batches' buffers for the runs to reuse as soon as the store
    /// returns: the store must hold none of them by then, or emptying them copies them (each run's
    /// buffers allocated anew, the old ones freed on the store's thread). The store's queue used to
    /// release them after it resumed the caller: a race this catches within a few hundred calls.
    @Test func theStoreHoldsNoBatchOnceItReturns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        var shared = 0
        for n in 0..<300 {
            var recorded = [Self.batch(runID: "run-\(n)")]
            try await history.record(recorded: recorded)
            // A summary box only the array holds: unique unless the array is still shared.
            if !isKnownUniquelyReferenced(&recorded[0].sharedSummary) { shared += 1 }
        }
        #expect(shared == 0, "the store still held \(shared) of 300 handed batches when it returned")
    }
}
