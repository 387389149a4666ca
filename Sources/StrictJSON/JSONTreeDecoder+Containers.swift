/// The members of a JSON object, by key. A repeated key (kept by the Python dialect) is one key whose
/// value is its last one, as in a Python `dict`.
struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONTreeDecoder
    /// The keys in order of first appearance, each once.
    private let keys: [String]
    /// Each key's value: the last member with that key. Built once, so lookups stay O(1) however
    /// many members a (hostile) file has.
    private let values: [String: JSONValue]

    init(object: JSONObject, decoder: JSONTreeDecoder) {
        var keys: [String] = []
        var values: [String: JSONValue] = [:]
        for (key, value) in object.members {
            if values.updateValue(value, forKey: key) == nil { keys.append(key) }
        }
        self.decoder = decoder
        self.keys = keys
        self.values = values
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key, decoding: type).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key, decoding: type).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key, decoding: type).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key, decoding: type).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key, decoding: type).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key, decoding: type).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key, decoding: type).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key, decoding: type).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key, decoding: type).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key, decoding: type).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key, decoding: type).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key, decoding: type).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key, decoding: type).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key, decoding: type).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: child(key, decoding: type)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key)
        throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    /// The member `"super"` (`null` when absent), as Foundation's `JSONDecoder` does it.
    func superDecoder() throws -> any Decoder {
        let key = JSONCodingKey(stringValue: "super")
        return decoder.child(values[key.stringValue] ?? .null, at: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }

    private func child(_ key: Key, decoding type: Any.Type? = nil) throws -> JSONTreeDecoder {
        guard let value = values[key.stringValue] else {
            throw JSONDecodingError(path: (codingPath + [key]).map(\.stringValue), problem: .missing)
        }
        return decoder.child(value, at: key, decoding: type)
    }
}

/// The elements of a JSON array, in order. A failed decode does not move past the element, so a type
/// may try another reading of it.
struct JSONUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: JSONTreeDecoder
    private(set) var currentIndex = 0

    init(elements: [JSONValue], decoder: JSONTreeDecoder) {
        self.elements = elements
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func decodeNil() throws -> Bool {
        guard try current().decodeNil() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.decode(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try T(from: $0) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type)
        throws -> KeyedDecodingContainer<NestedKey> {
        try next(nil) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next(nil) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try next(nil) { $0 } }

    /// The decoder of the current element, for decoding a `type` (if known).
    private func current(decoding type: Any.Type? = nil) throws -> JSONTreeDecoder {
        let key = JSONCodingKey(intValue: currentIndex)
        guard !isAtEnd else {
            throw JSONDecodingError(path: (codingPath + [key]).map(\.stringValue), problem: .missing)
        }
        return decoder.child(elements[currentIndex], at: key, decoding: type)
    }

    /// Runs `body` on the decoder of the current element and moves past the element if it succeeds.
    private mutating func next<Result>(_ type: Any.Type?, _ body: (JSONTreeDecoder) throws -> Result)
        throws -> Result {
        let result = try body(current(decoding: type))
        currentIndex += 1
        return result
    }
}
