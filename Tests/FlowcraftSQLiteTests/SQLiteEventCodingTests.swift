import Flowcraft
import Testing

@testable import FlowcraftSQLite

/// The stored forms of events: the packed rows written now (every kind and field read back as it
/// was, damaged rows refused without a crash) and the text rows of earlier files (still read).
@Suite("SQLite event coding")
struct SQLiteEventCodingTests {
    static let executions: [RunHistoryEvent.NodeExecution] = [
        RunHistoryEvent.NodeExecution(
            nodeID: "n1", status: .completed, attempts: [RunHistoryEvent.Attempt(startedAt: 5, endedAt: 9)]),
        RunHistoryEvent.NodeExecution(
            nodeID: "quote \" and \\ and\nline", iteration: 3, status: .recovered,
            attempts: [
                RunHistoryEvent.Attempt(startedAt: 1, endedAt: 2, error: "boom \"1\""),
                RunHistoryEvent.Attempt(startedAt: 4, endedAt: 8, error: "é\u{01}"),
            ],
            action: "go", fallbackNodeID: "safe", outputBytes: 42,
            writes: [
                "b": [1, "two"], "a": ["x": .null], "_outputs.n": 1.5, "t": true, "f": false, "n": .null,
                "i": .int(-7), "big": .int(Int.max), "s": "", "e": "é",
            ],
            childRunID: "run/child", error: "boom", errorLocation: SourceLocation(file: "f.yaml", line: 3, column: 7)),
        RunHistoryEvent.NodeExecution(nodeID: "empty", status: .failed, attempts: []),
        RunHistoryEvent.NodeExecution(
            nodeID: "", iteration: -2, status: .completed,
            attempts: [RunHistoryEvent.Attempt(startedAt: .min, endedAt: .max)], action: "", outputBytes: 1 << 40),
    ]

    static let runEvents: [RunHistoryEvent.Kind] = [
        .runStarted(RunHistoryEvent.RunStart(blueprintID: "bp", context: [:])),
        .runStarted(
            RunHistoryEvent.RunStart(
                blueprintID: "b\"p", blueprintVersion: "1.2", parentRunID: "parent", parentNodeID: "sub",
                context: ["z": 1, "a": ["nested": [true, .null, 2.5]], "é \n": "x"])),
        .runStarted(RunHistoryEvent.RunStart(blueprintID: "bp", parentRunID: "p", context: ["k": "v"])),
        .runEnded(RunHistoryEvent.RunEnd(status: .completed)),
        .runEnded(
            RunHistoryEvent.RunEnd(
                status: .failed, failedNodeID: "n\"1", error: "boom\nline",
                errorLocation: SourceLocation(file: "f.yaml", line: 3, column: 7))),
        .runEnded(RunHistoryEvent.RunEnd(status: .cancelled, error: "stopped")),
        .paused(nodes: ["w1", "w2"]),
        .paused(nodes: []),
        .resumed(nodeID: "w1", action: "approve"),
        .resumed(nodeID: "w1", action: nil),
        .redriven(nodes: ["n1"]),
    ]

    static var allKinds: [RunHistoryEvent.Kind] { executions.map { .nodeFinished($0) } + runEvents }

    /// A row of every kind, with sequences and times moving both ways (a row's deltas are signed).
    static var row: [RunHistoryEvent] {
        let times: [Int64] = [1_796_399_013_523, 1_796_399_013_523, 0, -5, .max, .min, 1_796_399_013_600]
        return allKinds.enumerated().map { i, kind in
            RunHistoryEvent(sequence: i % 3 == 2 ? 1_000 - i : i + 1, time: times[i % times.count], kind: kind)
        }
    }

    static func packed(_ events: [RunHistoryEvent]) -> [UInt8] {
        var packer = SQLiteEventPacker()
        for event in events { packer.append(event) }
        return packer.bytes
    }

    @Test(arguments: allKinds)
    func packedEventReadsBackEqual(_ kind: RunHistoryEvent.Kind) throws {
        let event = RunHistoryEvent(sequence: 7, time: 1_796_399_013_523, kind: kind)
        var read: [RunHistoryEvent] = []
        try SQLiteEventUnpacker.read(Self.packed([event]), after: 0, into: &read)
        #expect(read == [event])
    }

    @Test func packedRowReadsBackEqualAndCut() throws {
        let events = Self.row
        var packer = SQLiteEventPacker()
        for event in events { packer.append(event) }
        #expect(packer.count == events.count)
        #expect(packer.firstSequence == events.map(\.sequence).min())
        #expect(packer.lastSequence == events.map(\.sequence).max())
        var read: [RunHistoryEvent] = []
        try SQLiteEventUnpacker.read(packer.bytes, after: 0, into: &read)
        #expect(read == events)
        // The cap's cut: only the events above it.
        read = []
        try SQLiteEventUnpacker.read(packer.bytes, after: 5, into: &read)
        #expect(read == events.filter { $0.sequence > 5 })
        // Emptied, the packer starts a new row.
        packer.removeAll()
        packer.append(events[0])
        read = []
        try SQLiteEventUnpacker.read(packer.bytes, after: 0, into: &read)
        #expect(read == [events[0]])
    }

    /// A no-op node's execution is a few dozen bytes (the text form took about 150).
    @Test func plainNodeExecutionPacksSmall() {
        let event = RunHistoryEvent(
            sequence: 2, time: 1_796_399_013_523,
            kind: .nodeFinished(
                RunHistoryEvent.NodeExecution(
                    nodeID: "n0", status: .completed,
                    attempts: [RunHistoryEvent.Attempt(startedAt: 1_796_399_013_523, endedAt: 1_796_399_013_523)],
                    writes: ["_inputs.n1": .null, "_outputs.n0": .null])))
        #expect(Self.packed([event]).count <= 48)
    }

    /// Every prefix of a row either ends between events (and reads those before it) or fails with
    /// an error: never a crash, never an event made up.
    @Test func truncatedRowsFailCleanly() throws {
        let events = Self.row
        let bytes = Self.packed(events)
        var whole = 0
        for length in 0..<bytes.count {
            var read: [RunHistoryEvent] = []
            do {
                try SQLiteEventUnpacker.read(Array(bytes.prefix(length)), after: 0, into: &read)
                #expect(read == Array(events.prefix(read.count)))
                #expect(length > 0)
                whole += 1
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        // The prefixes that end between events: one per event before the last.
        #expect(whole == events.count - 1 + 1)
    }

    /// Every byte of a row changed to each of a few values (the extremes of a varint byte, a flipped
    /// pattern): an error or some events, never a crash or a runaway allocation.
    @Test func corruptedRowsNeverCrash() {
        let bytes = Self.packed(Self.row)
        for position in bytes.indices {
            for value: UInt8 in [0x00, 0x01, 0x7f, 0x80, 0xff, bytes[position] ^ 0x55] where value != bytes[position] {
                var damaged = bytes
                damaged[position] = value
                var read: [RunHistoryEvent] = []
                _ = try? SQLiteEventUnpacker.read(damaged, after: 0, into: &read)
            }
        }
        // A count claiming more elements than bytes left is refused before anything is reserved.
        var read: [RunHistoryEvent] = []
        let hostile: [UInt8] = [SQLitePackedEvents.formatVersion, SQLitePackedEvents.Tag.paused.rawValue, 2, 2,
            0xff, 0xff, 0xff, 0xff, 0x0f]
        #expect(throws: SQLiteUnreadableEvent.self) { try SQLiteEventUnpacker.read(hostile, after: 0, into: &read) }
        #expect(throws: SQLiteUnreadableEvent.self) { try SQLiteEventUnpacker.read([9], after: 0, into: &read) }
    }

    /// The text form (files of versions 1 and 2): every kind reads back from its body.
    @Test(arguments: allKinds)
    func textBodyReadsBackEqual(_ kind: RunHistoryEvent.Kind) throws {
        #expect(try SQLiteEventCoding.kind(SQLiteEventCoding.kindName(kind), body: SQLiteEventCoding.body(kind)) == kind)
    }
}
