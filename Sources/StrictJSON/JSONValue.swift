/// A JSON document as parsed by ``JSONParser``: objects keep their members in document order,
/// and numbers keep their literal text so integers are read exactly.
///
/// Foundation's `JSONSerialization` is not used for untrusted headers because it silently keeps
/// the last of two duplicate keys (a safetensors header must reject duplicate tensor names), turns
/// large integers into doubles, and cannot tell `1` from `1.0`. Headers and indexes are walked as
/// this tree; configuration files are decoded from it by ``JSONValueDecoder``.
package enum JSONValue: Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, with its literal.
    case number(JSONNumber)
    /// A string, escapes decoded.
    case string(String)
    /// An array's elements, in order.
    case array([JSONValue])
    /// An object's members, in document order.
    case object(JSONObject)

    /// A short name of the value's kind, for error messages ("an integer", "a string", …).
    package var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let number): number.isInteger ? "an integer" : "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value as an error message quotes it: a number as written, a string in quotes, `true`,
    /// `false` and `null` as such, containers by kind; long text is cut to keep messages short.
    package var briefDescription: String {
        switch self {
        case .null: "null"
        case .bool(let bool): String(bool)
        case .number(let number): Self.shortened(number.literal)
        case .string(let string): "\"" + Self.shortened(string) + "\""
        case .array, .object: kindDescription
        }
    }

    private static func shortened(_ text: String) -> String {
        text.count <= 60 ? text : text.prefix(60) + "…"
    }
}

/// A JSON number, kept as its literal so that integers of any size are read exactly.
package struct JSONNumber: Sendable {
    /// The number exactly as written in the document, e.g. `"768"`, `"1e-12"`, `"-0.5"`.
    package let literal: String
    /// Whether the literal has neither a fraction nor an exponent (`768`, `-3`).
    package let isInteger: Bool

    /// The value as an unsigned 64-bit integer, or `nil` if it is not a non-negative integer
    /// literal that fits.
    package var uint64Value: UInt64? {
        guard isInteger else { return nil }
        if literal == "-0" { return 0 }
        return UInt64(literal)
    }

    /// The value as an `Int`, or `nil` if it is not an integer literal that fits.
    package var intValue: Int? {
        guard isInteger else { return nil }
        return Int(literal)
    }

    /// The value as the nearest `Double` (correctly rounded; out-of-range values become ±infinity,
    /// as in Python's `json`).
    package var doubleValue: Double {
        switch literal {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(literal) ?? .nan
        }
    }
}

/// A JSON object: its members in document order.
package struct JSONObject: Sendable {
    /// The members, in the order they appear in the document.
    package var members: [(key: String, value: JSONValue)]

    /// The value of the last member called `key` (Python's `json` keeps the last of duplicates),
    /// or `nil` if there is none.
    package subscript(key: String) -> JSONValue? {
        members.last(where: { $0.key == key })?.value
    }
}
