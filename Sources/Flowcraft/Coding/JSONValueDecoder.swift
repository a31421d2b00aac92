/// Decodes any `Decodable` type straight from a `JSONValue`, without going through bytes.
///
/// Generated typed nodes use it to read their `Input` and `Params`. Errors are standard
/// `DecodingError`s whose description names the coding path and the mismatch, e.g.
/// `at order.items[2].quantity: expected an integer, found string "two"`.
public struct JSONValueDecoder: Sendable {
    /// A decoder.
    public init() {}

    /// Decodes a `T` from `value`; throws a `DecodingError` naming the path of a mismatch.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoding.unbox(value, as: type, path: [])
    }
}

enum ValueDecoding {
    static func unbox<T: Decodable>(_ value: JSONValue, as type: T.Type, path: [any CodingKey]) throws -> T {
        if type == JSONValue.self, let v = value as? T { return v }
        if type == String.self {
            guard case .string(let s) = value, let v = s as? T else { throw mismatch("a string", value, path) }
            return v
        }
        if type == Bool.self {
            guard case .bool(let b) = value, let v = b as? T else { throw mismatch("a boolean", value, path) }
            return v
        }
        if type == Double.self {
            guard let d = value.doubleValue, let v = d as? T else { throw mismatch("a number", value, path) }
            return v
        }
        if type == Float.self {
            guard let d = value.doubleValue, let v = Float(d) as? T else { throw mismatch("a number", value, path) }
            return v
        }
        if let integer = try integer(value, as: type, path: path) { return integer }
        return try T(from: ValueTreeDecoder(value: value, codingPath: path))
    }

    /// Fixed-width integers, checked for exactness and range; `nil` when `T` is not one.
    private static func integer<T>(_ value: JSONValue, as type: T.Type, path: [any CodingKey]) throws -> T? {
        func convert<I: FixedWidthInteger>(_: I.Type) throws -> T? {
            guard let i = value.intValue else { throw mismatch("an integer", value, path) }
            guard let exact = I(exactly: i) else {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(
                        codingPath: path, debugDescription: "at \(CodingPathText.render(path)): \(i) does not fit in \(I.self)"))
            }
            return exact as? T
        }
        switch type {
        case is Int.Type: return try convert(Int.self)
        case is Int8.Type: return try convert(Int8.self)
        case is Int16.Type: return try convert(Int16.self)
        case is Int32.Type: return try convert(Int32.self)
        case is Int64.Type: return try convert(Int64.self)
        case is UInt.Type: return try convert(UInt.self)
        case is UInt8.Type: return try convert(UInt8.self)
        case is UInt16.Type: return try convert(UInt16.self)
        case is UInt32.Type: return try convert(UInt32.self)
        case is UInt64.Type: return try convert(UInt64.self)
        default: return nil
        }
    }

    static func mismatch(_ expected: String, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        DecodingError.typeMismatch(
            Any.self,
            DecodingError.Context(
                codingPath: path,
                debugDescription: "at \(CodingPathText.render(path)): expected \(expected), found \(describe(value))"))
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .int(let i): return "number \(i)"
        case .double(let d): return "number \(d)"
        case .bool(let b): return "boolean \(b)"
        default: return value.kindName
        }
    }
}

struct ValueTreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw ValueDecoding.mismatch("an object", value, codingPath) }
        return KeyedDecodingContainer(KeyedValueDecodingContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw ValueDecoding.mismatch("an array", value, codingPath) }
        return UnkeyedValueDecodingContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueDecodingContainerImpl(value: value, codingPath: codingPath)
    }
}

struct KeyedValueDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.sorted().compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let v = members[key.stringValue] else {
            let path = codingPath + [key]
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: codingPath, debugDescription: "at \(CodingPathText.render(path)): missing required member"))
        }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool { (members[key.stringValue] ?? .null) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try ValueDecoding.unbox(try member(key), as: type, path: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueTreeDecoder(value: try member(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueTreeDecoder(value: try member(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueTreeDecoder(value: members["super"] ?? .null, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueTreeDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

struct UnkeyedValueDecodingContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> (JSONValue, [any CodingKey]) {
        let path = codingPath + [IndexKey(currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, DecodingError.Context(codingPath: path, debugDescription: "at \(CodingPathText.render(path)): past the end of the array"))
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try ValueDecoding.unbox(value, as: type, path: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next()
        return try ValueTreeDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try ValueTreeDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return ValueTreeDecoder(value: value, codingPath: path)
    }
}

struct SingleValueDecodingContainerImpl: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try ValueDecoding.unbox(value, as: type, path: codingPath)
    }
}
