/// Throw this from a processor to fail the job at once, without using its remaining attempts.
public struct UnrecoverableJobError: Error, Sendable, CustomStringConvertible {
    /// The job's failure reason.
    public let message: String

    /// An error failing the job with `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
