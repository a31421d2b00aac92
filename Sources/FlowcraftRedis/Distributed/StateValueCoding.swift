import FlowcraftModel

/// How context values are stored in the state hash: JSON text. Values that are not JSON — plain
/// strings a client wrote with `HSET` — read as strings rather than failing.
enum StateValueCoding {
    static func encode(_ value: JSONValue) -> String { JSONText.serialize(value) }

    static func decode(_ text: String) -> JSONValue {
        (try? JSONText.parse(text)) ?? .string(text)
    }

    static func decode(_ reply: RedisReply) -> JSONValue? {
        guard !reply.isNull, let text = reply.string else { return nil }
        return decode(text)
    }
}
