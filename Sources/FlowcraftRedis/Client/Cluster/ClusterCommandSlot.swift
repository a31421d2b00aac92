extension RedisClusterSlot {
    /// The slot a command must run in: `nil` for a keyless command; throws a `CROSSSLOT` server-kind
    /// error naming the keys when they hash to different slots (Redis would refuse the command).
    static func of(command: RedisCommand) throws(RedisError) -> Int? {
        let arguments = command.arguments
        guard let name = arguments.first else { return nil }
        let keys = ClusterKeyPositions.of(name).keys(in: arguments)
        guard let firstKey = keys.first else { return nil }
        let slot = of(bytes: firstKey)
        for key in keys.dropFirst() where of(bytes: key) != slot {
            let names = keys.map { "'\(String(decoding: $0, as: UTF8.self))' (slot \(of(bytes: $0)))" }
            throw .server(
                "CROSSSLOT Keys in request don't hash to the same slot (checked before sending, in cluster mode): "
                    + names.joined(separator: ", ") + "; give them a common {hash tag}",
                command: command.name)
        }
        return slot
    }
}
