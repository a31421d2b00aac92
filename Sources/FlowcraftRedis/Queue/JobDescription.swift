import FlowcraftModel

/// A job to add: its name, JSON data and options.
public struct JobDescription: Sendable, Hashable {
    public var name: String
    public var data: JSONValue
    public var options: JobOptions

    public init(name: String, data: JSONValue, options: JobOptions = JobOptions()) {
        self.name = name
        self.data = data
        self.options = options
    }
}
