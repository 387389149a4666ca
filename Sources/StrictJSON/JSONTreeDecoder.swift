/// A `Decoder` over one value of a parsed JSON document; it is also that value's single-value
/// container. ``JSONValueDecoder`` makes the first one, containers make one per member or element.
struct JSONTreeDecoder: Decoder {
    /// The value being decoded.
    let value: JSONValue
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]
    /// How messages describe what this value should have been ("an array of strings"), when the
    /// type being decoded says more than the kind of container or scalar it asks for.
    let expectation: String?

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch(expected: "an object") }
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(object: object, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch(expected: "an array") }
        return JSONUnkeyedContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// The decoder of `value`, found at `key` inside this one, for decoding a `type` (if known).
    func child(_ value: JSONValue, at key: any CodingKey, decoding type: Any.Type? = nil) -> JSONTreeDecoder {
        JSONTreeDecoder(value: value, codingPath: codingPath + [key], userInfo: userInfo,
                        expectation: type.flatMap(Self.expectation(of:)))
    }

    /// The error for this value not being what was asked of it.
    func mismatch(expected: String) -> JSONDecodingError {
        JSONDecodingError(path: codingPath.map(\.stringValue),
                          problem: .typeMismatch(expected: expectation ?? expected, found: value.briefDescription))
    }

    /// What a value decoded as `type` must be, if the type says more than its containers do.
    static func expectation(of type: Any.Type) -> String? {
        if let expressible = type as? any JSONExpressible.Type { return expressible.expectedJSON }
        switch ObjectIdentifier(type) {
        case ObjectIdentifier([String].self): return "an array of strings"
        case ObjectIdentifier([Int].self): return "an array of integers"
        case ObjectIdentifier([Double].self): return "an array of numbers"
        case ObjectIdentifier([String: String].self): return "an object of strings"
        default: return nil
        }
    }
}

// The scalars: JSON kinds map to Swift types as Python's `json` maps them to Python's, except that
// `true`/`false` are not integers here (Python's `bool` is an `int`, but a flag where a count belongs
// is a mistake, and transformers' typed fields refuse it too).
extension JSONTreeDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(expected: "true or false") }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let string) = value else { throw mismatch(expected: "a string") }
        return string
    }

    /// Any number, integer or not (`1` is a valid `float` in Python), including `NaN` and the
    /// infinities where the dialect allows them.
    func decode(_ type: Double.Type) throws -> Double {
        guard case .number(let number) = value else { throw mismatch(expected: "a number") }
        return number.doubleValue
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: JSONTreeDecoder(value: value, codingPath: codingPath, userInfo: userInfo,
                                    expectation: Self.expectation(of: type) ?? expectation))
    }

    /// An integer literal (no fraction, no exponent: Python reads `224.0` and `1e3` as floats) that
    /// fits in `I`.
    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .number(let number) = value, number.isInteger else { throw mismatch(expected: "an integer") }
        guard let integer = number.literal == "-0" ? 0 : I(number.literal) else {
            throw mismatch(expected: "an integer from \(I.min) to \(I.max)")
        }
        return integer
    }
}
