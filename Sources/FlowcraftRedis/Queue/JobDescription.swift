import FlowcraftModel

/// A job to add: its name, JSON data and options.
public struct JobDescription: Sendable, Hashable {
    /// The job's name.
    public var name: String
    /// The job's data (the `data` field, as JSON).
    public var data: JSONValue
    /// The job's options.
    public var options: JobOptions

    /// A job `name` with `data`.
    public init(name: String, data: JSONValue, options: JobOptions = JobOptions()) {
        self.name = name
        self.data = data
        self.options = options
    }
}
