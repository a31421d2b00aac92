/// Encodes any `Encodable` value straight into a `JSONValue`, without serializing to bytes.
///
/// Generated typed nodes use it to turn their `Output` into the engine's dynamic currency.
/// Integers stay `.int`, floating-point values `.double`; non-finite numbers are rejected with an
/// error naming the coding path (`at items[2].price: …`).
public struct JSONValueEncoder: Sendable {
    /// An encoder.
    public init() {}

    /// Encodes `value` as a `JSONValue`; throws naming the path of a non-finite number.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try ValueEncoding.box(value, path: [])
    }
}

enum ValueEncoding {
    static func box<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> JSONValue {
        switch value {
        case let v as JSONValue: return v
        case let v as String: return .string(v)
        case let v as Bool: return .bool(v)
        case let v as Int: return .int(v)
        case let v as Double: return try double(v, path)
        case let v as Float: return try double(Double(v), path)
        case let v as Int8: return .int(Int(v))
        case let v as Int16: return .int(Int(v))
        case let v as Int32: return .int(Int(v))
        case let v as Int64: return .int(Int(v))
        case let v as UInt8: return .int(Int(v))
        case let v as UInt16: return .int(Int(v))
        case let v as UInt32: return .int(Int(v))
        case let v as UInt: return try unsigned(UInt64(v), path)
        case let v as UInt64: return try unsigned(v, path)
        default:
            let encoder = ValueTreeEncoder(node: ValueNode(), codingPath: path)
            try value.encode(to: encoder)
            return encoder.node.finalized
        }
    }

    static func double(_ v: Double, _ path: [any CodingKey]) throws -> JSONValue {
        guard v.isFinite else {
            throw EncodingError.invalidValue(
                v, EncodingError.Context(codingPath: path, debugDescription: "at \(CodingPathText.render(path)): \(v) is not a finite number"))
        }
        return .double(v)
    }

    static func unsigned(_ v: UInt64, _ path: [any CodingKey]) throws -> JSONValue {
        guard let i = Int(exactly: v) else {
            throw EncodingError.invalidValue(
                v, EncodingError.Context(codingPath: path, debugDescription: "at \(CodingPathText.render(path)): \(v) does not fit in Int"))
        }
        return .int(i)
    }
}

/// Renders coding paths for error messages: `items[2].name`, or `(root)`.
enum CodingPathText {
    static func render(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "(root)" }
        var text = ""
        for key in path {
            if let i = key.intValue {
                text += "[\(i)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }
}

struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }
    init?(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }
    init?(intValue: Int) { self.init(intValue) }
}

/// A value under construction; containers share nodes so nested containers write in place.
final class ValueNode {
    enum Content {
        case unset
        case value(JSONValue)
        case object([String: ValueNode])
        case array([ValueNode])
    }

    var content: Content = .unset

    var finalized: JSONValue {
        switch content {
        case .unset: return .object([:])
        case .value(let v): return v
        case .object(let members): return .object(members.mapValues(\.finalized))
        case .array(let elements): return .array(elements.map(\.finalized))
        }
    }

    func makeObject() {
        if case .object = content { return }
        content = .object([:])
    }

    func makeArray() {
        if case .array = content { return }
        content = .array([])
    }

    func set(_ key: String, _ child: ValueNode) {
        guard case .object(var members) = content else { return }
        content = .unset  // drop the reference so the dictionary is mutated in place
        members[key] = child
        content = .object(members)
    }

    func append(_ child: ValueNode) {
        guard case .array(var elements) = content else { return }
        content = .unset
        elements.append(child)
        content = .array(elements)
    }

    var count: Int {
        if case .array(let elements) = content { return elements.count }
        return 0
    }
}

final class ValueTreeEncoder: Encoder {
    let node: ValueNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: ValueNode, codingPath: [any CodingKey]) {
        self.node = node
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedValueContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedValueContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, codingPath: codingPath)
    }
}

struct KeyedValueContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: ValueNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(try ValueEncoding.box(value, path: codingPath + [key]), key)
    }

    private func put(_ value: JSONValue, _ key: Key) {
        let child = ValueNode()
        child.content = .value(value)
        node.set(key.stringValue, child)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = ValueNode()
        child.makeObject()
        node.set(key.stringValue, child)
        return KeyedEncodingContainer(KeyedValueContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = ValueNode()
        child.makeArray()
        node.set(key.stringValue, child)
        return UnkeyedValueContainer(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let child = ValueNode()
        node.set("super", child)
        return ValueTreeEncoder(node: child, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = ValueNode()
        node.set(key.stringValue, child)
        return ValueTreeEncoder(node: child, codingPath: codingPath + [key])
    }
}

struct UnkeyedValueContainer: UnkeyedEncodingContainer {
    let node: ValueNode
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    mutating func encodeNil() throws { put(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        put(try ValueEncoding.box(value, path: codingPath + [IndexKey(count)]))
    }

    private func put(_ value: JSONValue) {
        let child = ValueNode()
        child.content = .value(value)
        node.append(child)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = ValueNode()
        child.makeObject()
        let path = codingPath + [IndexKey(count)]
        node.append(child)
        return KeyedEncodingContainer(KeyedValueContainer<NestedKey>(node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = ValueNode()
        child.makeArray()
        let path = codingPath + [IndexKey(count)]
        node.append(child)
        return UnkeyedValueContainer(node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let child = ValueNode()
        let path = codingPath + [IndexKey(count)]
        node.append(child)
        return ValueTreeEncoder(node: child, codingPath: path)
    }
}

struct SingleValueContainer: SingleValueEncodingContainer {
    let node: ValueNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        node.content = .value(try ValueEncoding.box(value, path: codingPath))
    }
}
