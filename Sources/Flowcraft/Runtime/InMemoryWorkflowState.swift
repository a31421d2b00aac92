import Synchronization

/// A run's context held in memory: a dictionary behind a mutex, shared by the engine and the
/// run's nodes (which may run concurrently).
///
/// When it counts bytes (``init(_:capacity:countingBytes:)``), every write keeps a running total of
/// the context's size (``SizeLimits/entryByteCount(key:value:)`` per entry), so the run-context limit
/// is checked without measuring the whole context again at each completion.
public final class InMemoryWorkflowState: WorkflowState {
    private struct Storage {
        var values: [String: JSONValue]
        /// Each entry's size, when counting bytes.
        var sizes: [String: Int]?
        var total = 0
        /// What executions' tasks reported to the run's history, by token (``ExecutionStamp``).
        var reports: [Int: ExecutionReport] = [:]

        mutating func set(_ value: JSONValue, forKey key: String) {
            values[key] = value
            guard sizes != nil else { return }
            let size = SizeLimits.entryByteCount(key: key, value: value)
            total += size - (sizes?.updateValue(size, forKey: key) ?? 0)
        }

        mutating func remove(_ key: String) {
            values.removeValue(forKey: key)
            if let old = sizes?.removeValue(forKey: key) { total -= old }
        }
    }

    private let storage: Mutex<Storage>
    /// How many tokens ``Storage/reports`` holds (changed under the lock): the run reads it without
    /// the lock, and takes the lock only when something was reported.
    private let reportedTokens = Atomic<Int>(0)

    /// `capacity` reserves room for that many keys up front (the engine reserves two per node:
    /// `_inputs.` and `_outputs.`), sparing rehashes on large runs. `countingBytes` keeps the running
    /// size total ``byteCount(replacing:)`` reads.
    public init(_ initial: [String: JSONValue] = [:], capacity: Int = 0, countingBytes: Bool = false) {
        var dictionary = initial
        if capacity > dictionary.count { dictionary.reserveCapacity(min(capacity, 1 << 21)) }
        var storage = Storage(values: dictionary)
        if countingBytes {
            var sizes: [String: Int] = [:]
            for (key, value) in initial {
                let size = SizeLimits.entryByteCount(key: key, value: value)
                sizes[key] = size
                storage.total += size
            }
            storage.sizes = sizes
        }
        self.storage = Mutex(storage)
    }

    /// The value under `key`, synchronously.
    public func value(forKey key: String) -> JSONValue? { storage.withLock { $0.values[key] } }

    /// Whether `key` is present, synchronously.
    public func contains(_ key: String) -> Bool { storage.withLock { $0.values[key] != nil } }

    /// Sets `key`, synchronously.
    public func setValue(_ value: JSONValue, forKey key: String) { storage.withLock { $0.set(value, forKey: key) } }

    /// Removes `key`, synchronously.
    public func removeValue(forKey key: String) { storage.withLock { $0.remove(key) } }

    /// A copy of everything (copy-on-write: O(1) until either side writes).
    public var dictionary: [String: JSONValue] { storage.withLock { $0.values } }

    /// The context's size in bytes were `values` written over it; `nil` when it does not count bytes.
    public func byteCount(replacing values: [String: JSONValue]) -> Int? {
        storage.withLock { storage in
            guard let sizes = storage.sizes else { return nil }
            var total = storage.total
            for (key, value) in values {
                total += SizeLimits.entryByteCount(key: key, value: value) - (sizes[key] ?? 0)
            }
            return total
        }
    }

    /// The value of `key`, or `nil` when it is not set.
    public func get(_ key: String) async throws -> JSONValue? { value(forKey: key) }
    /// Sets `key` to `value`.
    public func set(_ key: String, _ value: JSONValue) async throws { setValue(value, forKey: key) }
    /// Removes `key`.
    public func delete(_ key: String) async throws { removeValue(forKey: key) }
    public func patch(_ values: [String: JSONValue]) async throws {
        storage.withLock { storage in
            for (k, v) in values { storage.set(v, forKey: k) }
        }
    }
    public func snapshot() async throws -> [String: JSONValue] { dictionary }

    // MARK: - Reports to the run's history

    /// Sets `key` and reports the write under `token` (``ReportingWorkflowState``), in one lock
    /// (`nil`: no report).
    func setValue(_ value: JSONValue, forKey key: String, reportingTo token: Int?) {
        storage.withLock { s in
            s.set(value, forKey: key)
            note(&s, token) { $0.writes.append(RecordedWrite(key: key, value: value)) }
        }
    }

    /// Removes `key` and reports it (as a write of `null`) under `token`, in one lock.
    func removeValue(forKey key: String, reportingTo token: Int?) {
        storage.withLock { s in
            s.remove(key)
            note(&s, token) { $0.writes.append(RecordedWrite(key: key, value: .null)) }
        }
    }

    /// Sets every key of `values` and reports them in key order under `token`, in one lock.
    func patch(_ values: [String: JSONValue], reportingTo token: Int?) {
        storage.withLock { s in
            for (k, v) in values { s.set(v, forKey: k) }
            note(&s, token) { report in
                for (k, v) in values.sorted(by: { $0.key < $1.key }) { report.writes.append(RecordedWrite(key: k, value: v)) }
            }
        }
    }

    /// Reports a write someone else made for the execution of `token` (`nil`: a removal).
    func report(write key: String, _ value: JSONValue?, to token: Int) {
        storage.withLock { s in note(&s, token) { $0.writes.append(RecordedWrite(key: key, value: value ?? .null)) } }
    }

    /// Reports an attempt of the execution of `token`.
    func report(_ attempt: RunHistoryEvent.Attempt, to token: Int) {
        storage.withLock { s in note(&s, token) { $0.attempts.append(attempt) } }
    }

    /// What was reported under `token`, taken (`nil`: nothing, the usual case, which takes no lock).
    /// Called by the run once the execution's task is done: what the task reported is visible then.
    /// A report made after that (by a task the node left running) belongs to no execution: it is
    /// never recorded, and kept until the run's state is freed.
    func takeReport(_ token: Int) -> ExecutionReport? {
        guard reportedTokens.load(ordering: .relaxed) > 0 else { return nil }
        return storage.withLock { s in
            guard let report = s.reports.removeValue(forKey: token) else { return nil }
            reportedTokens.subtract(1, ordering: .relaxed)
            return report
        }
    }

    /// Changes the report of `token` (under the lock; `nil`: nothing to report).
    private func note(_ s: inout Storage, _ token: Int?, _ change: (inout ExecutionReport) -> Void) {
        guard let token else { return }
        if s.reports[token] == nil { reportedTokens.add(1, ordering: .relaxed) }
        change(&s.reports[token, default: ExecutionReport()])
    }
}

/// The state a node sees when events are on: writes are reported as `context:change` events
/// naming the node, and, when the run records history, under the execution's `token` (as
/// ``ReportingWorkflowState`` reports them).
struct ObservedWorkflowState: ExecutionReportingState {
    let base: InMemoryWorkflowState
    /// The execution's token when the run records history.
    let token: Int?
    let report: @Sendable (String, JSONValue?) -> Void

    func get(_ key: String) async throws -> JSONValue? { base.value(forKey: key) }
    func set(_ key: String, _ value: JSONValue) async throws {
        base.setValue(value, forKey: key, reportingTo: token)
        report(key, value)
    }
    func delete(_ key: String) async throws {
        base.removeValue(forKey: key, reportingTo: token)
        report(key, nil)
    }
    func patch(_ values: [String: JSONValue]) async throws {
        base.patch(values, reportingTo: token)
        for (k, v) in values.sorted(by: { $0.key < $1.key }) { report(k, v) }
    }
    func snapshot() async throws -> [String: JSONValue] { base.dictionary }
    func report(_ attempt: RunHistoryEvent.Attempt) {
        if let token { base.report(attempt, to: token) }
    }
}
