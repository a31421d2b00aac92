/// Counters of one connection (or a pool's connections added up).
public struct RedisConnectionStatistics: Sendable, Hashable {
    /// Writes of one or more commands followed by reading their replies.
    public var roundTrips: Int
    /// Commands sent (connection set-up commands such as AUTH not included).
    public var commands: Int
    /// Connections established, the first one included; more than one means it reconnected.
    public var connects: Int

    /// Statistics with the given counts (zero by default).
    public init(roundTrips: Int = 0, commands: Int = 0, connects: Int = 0) {
        self.roundTrips = roundTrips
        self.commands = commands
        self.connects = connects
    }

    /// Average commands carried per round trip: how much auto-pipelining is happening.
    public var commandsPerRoundTrip: Double {
        roundTrips == 0 ? 0 : Double(commands) / Double(roundTrips)
    }
}
