/// The pieces of JSON the JSONL format needs, written by hand so that the output is compact,
/// keeps the schema's key order, and prints floats at their shortest round-trip precision.
enum JSONText {
    /// `value` as a JSON string literal: quotes, backslashes and control characters escaped
    /// (RFC 8259); everything else, including non-ASCII, kept as UTF-8.
    static func string(_ value: String) -> String {
        var result = "\""
        result.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case let control where control.value < 0x20 || control.value == 0x7F
                || control == "\u{2028}" || control == "\u{2029}":
                result += "\\u" + hex4(control.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `value` as a JSON number — the shortest decimal that reads back as the same `Float` —
    /// or `null` for NaN and infinities, which JSON cannot express.
    static func number(_ value: Float) -> String {
        guard value.isFinite else { return "null" }
        return FloatText.shortest(value)
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: false)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// Float formatting shared by the machine-readable formats.
enum FloatText {
    /// The shortest decimal that reads back as `value` (`0.93`, `9.87`, `1e-05`), with a
    /// trailing `.0` removed from whole numbers (`3`, not `3.0`).
    static func shortest(_ value: Float) -> String {
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
