/// A strict RFC 8259 JSON parser over raw UTF-8 bytes: the one JSON reader of SwiftViT.
///
/// It exists because checkpoint headers and shard indexes are untrusted input: it never reads
/// outside the buffer, bounds nesting (a 100 MB header of `[[[[…` must not overflow the stack),
/// detects duplicate object keys, and keeps number literals so that offsets up to 2⁶⁴ − 1 are read
/// exactly. Configuration files are parsed by it too, with the policy of Python's `json` module
/// (``DuplicateKeyPolicy/keepLast``, `NaN` and `Infinity` allowed), and decoded by
/// ``JSONValueDecoder``, so every JSON file is read the same careful way.
package struct JSONParser {
    /// What to do when an object has the same key twice.
    package enum DuplicateKeyPolicy {
        /// Fail with ``JSONParseError/Problem/duplicateKey(_:)`` (safetensors headers, shard
        /// indexes: a duplicate there is an ambiguity, not a typo to paper over).
        case reject
        /// Keep every member; lookups see the last one, like Python's `json` module
        /// (configuration files, which transformers reads with `json.load`).
        case keepLast
    }

    /// The deepest nesting of arrays and objects accepted (serde_json's default limit, which the
    /// reference safetensors implementation inherits).
    package static let maximumDepth = 128

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private let duplicateKeys: DuplicateKeyPolicy
    private let allowsNonFiniteNumbers: Bool

    private init(bytes: UnsafeRawBufferPointer, duplicateKeys: DuplicateKeyPolicy, allowsNonFiniteNumbers: Bool) {
        self.bytes = bytes
        self.duplicateKeys = duplicateKeys
        self.allowsNonFiniteNumbers = allowsNonFiniteNumbers
    }

    /// Parses one JSON document (surrounded by optional whitespace) from UTF-8 bytes.
    ///
    /// - Parameters:
    ///   - bytes: The document. It is validated as UTF-8 first.
    ///   - duplicateKeys: Whether a repeated object key is an error.
    ///   - allowsNonFiniteNumbers: Whether `NaN`, `Infinity` and `-Infinity` are accepted, as
    ///     Python's `json` writes them.
    package static func parse(_ bytes: UnsafeRawBufferPointer, duplicateKeys: DuplicateKeyPolicy = .reject,
                      allowsNonFiniteNumbers: Bool = false) throws(JSONParseError) -> JSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw JSONParseError(offset: 0, problem: .invalidUTF8)
        }
        var parser = JSONParser(bytes: bytes, duplicateKeys: duplicateKeys,
                                allowsNonFiniteNumbers: allowsNonFiniteNumbers)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw JSONParseError(offset: parser.index, problem: .trailingCharacters)
        }
        return value
    }

    /// Parses a JSON document held in an array of bytes.
    package static func parse(_ bytes: [UInt8], duplicateKeys: DuplicateKeyPolicy = .reject,
                      allowsNonFiniteNumbers: Bool = false) throws(JSONParseError) -> JSONValue {
        do {
            return try bytes.withUnsafeBytes { buffer in
                try parse(buffer, duplicateKeys: duplicateKeys, allowsNonFiniteNumbers: allowsNonFiniteNumbers)
            }
        } catch let error as JSONParseError {
            throw error
        } catch {
            fatalError("unreachable: parse throws only JSONParseError")
        }
    }

    // MARK: - Grammar

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let byte = peek() else { throw error(.unexpectedEnd) }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "N") where allowsNonFiniteNumbers:
            try expectLiteral("NaN")
            return .number(JSONNumber(literal: "NaN", isInteger: false))
        case UInt8(ascii: "I") where allowsNonFiniteNumbers:
            try expectLiteral("Infinity")
            return .number(JSONNumber(literal: "Infinity", isInteger: false))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw error(.unexpectedCharacter(byte))
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error(.nestingTooDeep) }
        index += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject(members: members))
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                if let byte = peek() { throw error(.unexpectedCharacter(byte)) }
                throw error(.unexpectedEnd)
            }
            let keyOffset = index
            let key = try parseString()
            if duplicateKeys == .reject {
                guard seen.insert(key).inserted else {
                    throw JSONParseError(offset: keyOffset, problem: .duplicateKey(key), depth: depth)
                }
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key, value))
            skipWhitespace()
            guard let byte = peek() else { throw error(.unexpectedEnd) }
            index += 1
            if byte == UInt8(ascii: "}") { return .object(JSONObject(members: members)) }
            guard byte == UInt8(ascii: ",") else {
                index -= 1
                throw error(.unexpectedCharacter(byte))
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error(.nestingTooDeep) }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard let byte = peek() else { throw error(.unexpectedEnd) }
            index += 1
            if byte == UInt8(ascii: "]") { return .array(elements) }
            guard byte == UInt8(ascii: ",") else {
                index -= 1
                throw error(.unexpectedCharacter(byte))
            }
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes, so the bytes are the string (already known to be valid UTF-8).
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let string = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error(.controlCharacterInString) }
            index += 1
        }
        guard index < bytes.count else { throw error(.unexpectedEnd) }
        // Slow path: decode escapes into a byte buffer.
        var utf8 = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard let escape = peek() else { throw error(.unexpectedEnd) }
                index += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    index -= 1
                    throw error(.invalidEscape)
                }
            default:
                if byte < 0x20 { throw error(.controlCharacterInString) }
                utf8.append(byte)
                index += 1
            }
        }
        throw error(.unexpectedEnd)
    }

    /// Reads the four hex digits after `\u` (and a second `\uXXXX` for a surrogate pair).
    private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw error(.loneSurrogate) }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw error(.loneSurrogate) }
            let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw error(.loneSurrogate) }
            return scalar
        }
        guard let scalar = Unicode.Scalar(first) else { throw error(.loneSurrogate) }
        return scalar
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error(.unexpectedEnd) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.invalidEscape)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = index
        if peek() == UInt8(ascii: "-") {
            index += 1
            if allowsNonFiniteNumbers, peek() == UInt8(ascii: "I") {
                try expectLiteral("Infinity")
                return JSONNumber(literal: "-Infinity", isInteger: false)
            }
        }
        // Integer part: 0 or [1-9][0-9]*.
        guard let first = peek(), isDigit(first) else { throw error(.invalidNumber) }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        var isInteger = true
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let digit = peek(), isDigit(digit) else { throw error(.invalidNumber) }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), isDigit(digit) else { throw error(.invalidNumber) }
            skipDigits()
        }
        let literal = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return JSONNumber(literal: literal, isInteger: isInteger)
    }

    // MARK: - Helpers

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(),
              byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\t") {
            index += 1
        }
    }

    private mutating func expect(_ expected: UInt8) throws(JSONParseError) {
        guard let byte = peek() else { throw error(.unexpectedEnd) }
        guard byte == expected else { throw error(.unexpectedCharacter(byte)) }
        index += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error(.unexpectedEnd) }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw error(.invalidLiteral) }
        index += count
    }

    private func error(_ problem: JSONParseError.Problem) -> JSONParseError {
        JSONParseError(offset: index, problem: problem)
    }
}
