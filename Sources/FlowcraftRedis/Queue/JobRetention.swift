import FlowcraftModel

/// How many finished jobs to keep: BullMQ's `removeOnComplete` / `removeOnFail`.
public enum JobRetention: Sendable, Hashable {
    /// Keep every finished job (`false`, the default).
    case keepAll
    /// Remove the job as soon as it finishes (`true`).
    case removeImmediately
    /// Keep at most the newest `count` jobs (a number).
    case keepCount(Int)
    /// Keep jobs finished within `age` seconds and at most `count` of them (`{age, count}`);
    /// `nil` means no limit of that kind.
    case keep(age: Int?, count: Int?)

    /// The value as it appears in the `opts` JSON.
    var json: JSONValue {
        switch self {
        case .keepAll: return false
        case .removeImmediately: return true
        case .keepCount(let count): return .int(count)
        case .keep(let age, let count):
            var members: [String: JSONValue] = [:]
            if let age { members["age"] = .int(age) }
            if let count { members["count"] = .int(count) }
            return .object(members)
        }
    }

    /// Reads the `opts` JSON form; anything unrecognised keeps all jobs.
    init(json: JSONValue?) {
        switch json {
        case .bool(true)?: self = .removeImmediately
        case .int, .double:
            self = json?.intValue.map { .keepCount(max(0, $0)) } ?? .keepAll
        case .object(let members)?:
            self = .keep(age: members["age"]?.intValue, count: members["count"]?.intValue)
        default: self = .keepAll
        }
    }

    /// The script arguments: keep count (−1 = all, 0 = remove now) and keep age in seconds (0 = none).
    var scriptArguments: (count: Int, ageSeconds: Int) {
        switch self {
        case .keepAll: return (-1, 0)
        case .removeImmediately: return (0, 0)
        case .keepCount(let count): return (max(0, count), 0)
        case .keep(let age, let count): return (count.map { max(0, $0) } ?? -1, max(0, age ?? 0))
        }
    }
}
