import Flowcraft

/// The packed form of a run's events in one `event_chunks` row, or in the run's own row
/// (`runs.events`, schema version 4), from schema version 3 on: a BLOB, one byte ``formatVersion``,
/// then the events in order, each
///
/// - a ``Tag`` byte (the kind),
/// - the sequence and the time, each as a signed varint of the difference to the previous event of
///   the row (the first to 0),
/// - the kind's fields: strings as a varint byte count and UTF-8; an optional string as its count
///   + 1 (0: absent); optional fields behind a flags byte; a node execution's attempt times relative
///   to the event's time; context values as ``ValueTag`` + payload (numbers other than integers,
///   arrays and objects as JSON text).
///
/// A no-op node execution packs into about 20 bytes, against about 150 as a line of JSON text
/// (version 2, still read: ``SQLiteTextEvents``): fewer bytes to build, to copy into pages and to
/// write to the WAL, and no decimal or JSON formatting on the writer's thread.
///
/// Format 2 (schema version 5 on) adds ``NodeFlags/ownOutput``: the value a node execution wrote
/// under its own output key (`_outputs.<node>`, nearly every execution's write) follows its other
/// optional fields, without the key, which its node id gives (format 1 packed it with the other
/// writes: about 16 bytes more for every execution). Both formats are read.
enum SQLitePackedEvents {
    /// The format this Flowcraft packs.
    static let formatVersion: UInt8 = 2
    /// The formats this Flowcraft reads.
    static let readableFormats: ClosedRange<UInt8> = 1...2

    enum Tag: UInt8 {
        case runStarted = 1, nodeFinished, runEnded, paused, resumed, redriven
    }

    enum ValueTag: UInt8 {
        case null = 0, `false`, `true`, integer, string, json
    }

    /// A node execution's optional fields, in the order they follow the flags byte.
    struct NodeFlags: OptionSet {
        let rawValue: UInt8
        static let action = NodeFlags(rawValue: 1 << 0)
        static let fallbackNodeID = NodeFlags(rawValue: 1 << 1)
        static let childRunID = NodeFlags(rawValue: 1 << 2)
        static let error = NodeFlags(rawValue: 1 << 3)
        static let errorLocation = NodeFlags(rawValue: 1 << 4)
        static let iteration = NodeFlags(rawValue: 1 << 5)
        static let outputBytes = NodeFlags(rawValue: 1 << 6)
        /// Format 2: the execution wrote its output under its own output key, and no other write
        /// of the event has that key (``NodeExecutionRecord/hasOwnOutputWriteAlone(in:)``); the
        /// value follows the other optional fields.
        static let ownOutput = NodeFlags(rawValue: 1 << 7)
    }

    static func statusCode(_ status: RunHistoryEvent.NodeExecutionStatus) -> UInt8 {
        switch status {
        case .completed: return 0
        case .recovered: return 1
        case .failed: return 2
        }
    }

    static func status(code: UInt8) -> RunHistoryEvent.NodeExecutionStatus? {
        switch code {
        case 0: return .completed
        case 1: return .recovered
        case 2: return .failed
        default: return nil
        }
    }
}
