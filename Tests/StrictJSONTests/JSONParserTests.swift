import Testing
@testable import StrictJSON

@Suite struct JSONParserTests {
    private func parse(_ text: String, duplicateKeys: JSONParser.DuplicateKeyPolicy = .reject) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), duplicateKeys: duplicateKeys)
    }

    @Test func integersAreExactUpTo64Bits() throws {
        guard case .array(let values) = try parse("[0, 18446744073709551615, -0, 1.0, 1e3, 9007199254740993]") else {
            Issue.record("not an array")
            return
        }
        let numbers = values.compactMap { value -> JSONNumber? in if case .number(let n) = value { n } else { nil } }
        #expect(numbers.map(\.uint64Value) == [0, .max, 0, nil, nil, 9_007_199_254_740_993])
        #expect(numbers[3].doubleValue == 1 && numbers[4].doubleValue == 1000)
    }

    @Test func stringsWithEscapesAndUnicode() throws {
        let value = try parse(#""a\"b\\c\/\n\u00e9\ud83d\ude00 é""#)
        guard case .string(let string) = value else { Issue.record("not a string"); return }
        #expect(string == "a\"b\\c/\né😀 é")
    }

    @Test func rejectsWhatRFC8259Rejects() {
        let invalid: [(String, JSONParseError.Problem)] = [
            ("", .unexpectedEnd), ("{", .unexpectedEnd), ("[1,]", .unexpectedCharacter(UInt8(ascii: "]"))),
            ("01", .trailingCharacters), ("1.", .invalidNumber), ("-", .invalidNumber), (".5", .unexpectedCharacter(UInt8(ascii: "."))),
            ("tru", .unexpectedEnd), ("nul1", .invalidLiteral), (#""\x""#, .invalidEscape), (#""\ud800""#, .loneSurrogate),
            ("\"a\u{01}\"", .controlCharacterInString), ("NaN", .unexpectedCharacter(UInt8(ascii: "N"))),
            (#"{"a": 1, "a": 2}"#, .duplicateKey("a")), ("{1: 2}", .unexpectedCharacter(UInt8(ascii: "1"))),
        ]
        for (text, problem) in invalid {
            #expect(throws: JSONParseError.self, "\(text)") { try parse(text) }
            do { _ = try parse(text) } catch { #expect(error.problem == problem, "\(text)") }
        }
        #expect(throws: JSONParseError(offset: 0, problem: .invalidUTF8)) { try JSONParser.parse([0x22, 0xC3, 0x22]) }
    }

    @Test func duplicateKeysCanBeKeptLikePython() throws {
        guard case .object(let object) = try parse(#"{"a": 1, "a": 2}"#, duplicateKeys: .keepLast),
              case .number(let number) = object["a"] else { Issue.record("not parsed"); return }
        #expect(number.literal == "2")
    }
}
