/// Why a JSON document could not be parsed, and where.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The specific syntax problem.
    package enum Problem: Sendable, Equatable {
        /// The bytes are not UTF-8.
        case invalidUTF8
        /// The document stops inside a value.
        case unexpectedEnd
        /// A byte that cannot start or continue a value here.
        case unexpectedCharacter(UInt8)
        /// More than whitespace follows the value.
        case trailingCharacters
        /// A number that breaks RFC 8259's grammar (`01`, `1.`, `-`).
        case invalidNumber
        /// A misspelt `true`, `false` or `null` (or `NaN`, `Infinity` where allowed).
        case invalidLiteral
        /// A backslash escape RFC 8259 does not define.
        case invalidEscape
        /// A `\u` escape of half a UTF-16 surrogate pair.
        case loneSurrogate
        /// A byte below 0x20 inside a string.
        case controlCharacterInString
        /// Arrays and objects nested deeper than ``JSONParser/maximumDepth``.
        case nestingTooDeep
        /// An object repeats a key, under ``JSONParser/DuplicateKeyPolicy/reject``.
        case duplicateKey(String)
    }

    /// The byte offset in the document where the problem was found.
    package let offset: Int
    /// What is wrong.
    package let problem: Problem
    /// For ``Problem/duplicateKey(_:)``: the nesting depth of the object (1 = the top level).
    package var depth: Int = 0

    /// What is wrong and the byte offset where, e.g. "unexpected '}' at byte 19".
    package var description: String {
        let what: String
        switch problem {
        case .invalidUTF8: what = "the text is not valid UTF-8"
        case .unexpectedEnd: what = "the document ends early"
        case .unexpectedCharacter(let byte):
            let printable = byte >= 0x20 && byte < 0x7F
                ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            what = "unexpected \(printable)"
        case .trailingCharacters: what = "unexpected characters after the JSON value"
        case .invalidNumber: what = "malformed number"
        case .invalidLiteral: what = "malformed literal (expected true, false or null)"
        case .invalidEscape: what = "invalid escape sequence in a string"
        case .loneSurrogate: what = "a \\u escape is an unpaired UTF-16 surrogate"
        case .controlCharacterInString: what = "unescaped control character in a string"
        case .nestingTooDeep: what = "nesting deeper than \(JSONParser.maximumDepth) levels"
        case .duplicateKey(let key): what = "duplicate key \"\(key)\""
        }
        return "\(what) at byte \(offset)"
    }
}
