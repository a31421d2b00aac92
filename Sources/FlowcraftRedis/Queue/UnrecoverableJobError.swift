/// Throw this from a processor to fail the job at once, without using its remaining attempts.
public struct UnrecoverableJobError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
