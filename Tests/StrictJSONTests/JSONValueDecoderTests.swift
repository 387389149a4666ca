import Testing
@testable import StrictJSON

/// `JSONValueDecoder`: Decodable types over the strict parser, in the strict and the Python dialect.
@Suite struct JSONValueDecoderTests {
    private struct Sample: Decodable, Equatable {
        enum CodingKeys: String, CodingKey {
            case count, ratio, name, tags, nested
            case flag = "is_flag"
        }

        var count: Int
        var ratio: Double
        var name: String?
        var tags: [String]
        var flag: Bool
        var nested: [[UInt8]]?
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String, _ dialect: JSONValueDecoder.Dialect = .python)
        throws -> T {
        try JSONValueDecoder(dialect: dialect, source: "sample.json").decode(type, from: Array(text.utf8))
    }

    /// The error a decode throws, or `nil` when it succeeds or throws something else.
    private func decodingError<T: Decodable>(_ type: T.Type, _ text: String,
                                             _ dialect: JSONValueDecoder.Dialect = .python) -> JSONDecodingError? {
        do {
            _ = try decode(type, text, dialect)
            return nil
        } catch {
            return error as? JSONDecodingError
        }
    }

    @Test func decodesKeyedUnkeyedAndOptionalValues() throws {
        let sample = try decode(Sample.self, #"{"count": 3, "ratio": 1, "tags": ["a", "b"], "is_flag": true, "nested": [[1, 2], []], "extra": {}}"#)
        #expect(sample == Sample(count: 3, ratio: 1, name: nil, tags: ["a", "b"], flag: true, nested: [[1, 2], []]))
        let nulls = try decode(Sample.self, #"{"count": -0, "ratio": 2.5e-3, "name": null, "tags": [], "is_flag": false, "nested": null}"#)
        #expect(nulls == Sample(count: 0, ratio: 0.0025, name: nil, tags: [], flag: false, nested: nil))
    }

    @Test func pythonDialectReadsWhatPythonJSONReads() throws {
        #expect(try decode([Double].self, "[NaN, Infinity, -Infinity]")[0].isNaN)
        #expect(try decode([Double].self, "[NaN, Infinity, -Infinity]").dropFirst() == [.infinity, -.infinity])
        // A repeated key keeps its last value and is one key, where it first appeared.
        #expect(try decode([String: Int].self, #"{"a": 1, "b": 2, "a": 3}"#) == ["a": 3, "b": 2])
        struct Keys: Decodable {
            let keys: [String]
            init(from decoder: any Decoder) throws {
                keys = try decoder.container(keyedBy: JSONCodingKey.self).allKeys.map(\.stringValue)
            }
        }
        #expect(try decode(Keys.self, #"{"b": 1, "a": 2, "b": 3}"#).keys == ["b", "a"])
        #expect(decodingError([Double].self, "[NaN]", .strict)?.problem
                == .syntax(JSONParseError(offset: 1, problem: .unexpectedCharacter(UInt8(ascii: "N")))))
        guard case .syntax(let error) = decodingError([String: Int].self, #"{"a": 1, "a": 3}"#, .strict)?.problem else {
            Issue.record("a repeated key was accepted in the strict dialect")
            return
        }
        #expect(error.problem == .duplicateKey("a"))
    }

    @Test func integersAreIntegerLiteralsAsInPython() throws {
        #expect(decodingError(Int.self, "224.0")?.problem == .typeMismatch(expected: "an integer", found: "224.0"))
        #expect(decodingError(Int.self, "1e3")?.problem == .typeMismatch(expected: "an integer", found: "1e3"))
        #expect(decodingError(Int.self, "true")?.problem == .typeMismatch(expected: "an integer", found: "true"))
        #expect(try decode(UInt64.self, "18446744073709551615") == .max)
        #expect(decodingError(Int.self, "18446744073709551615")?.problem == .typeMismatch(
            expected: "an integer from -9223372036854775808 to 9223372036854775807", found: "18446744073709551615"))
        #expect(decodingError(UInt8.self, "-1")?.problem == .typeMismatch(expected: "an integer from 0 to 255", found: "-1"))
        // A floating-point value takes integers too, as Python's float fields do.
        #expect(try decode(Double.self, "7") == 7 && decode(Float.self, "0.5") == 0.5)
        #expect(decodingError(Double.self, #""7""#)?.problem == .typeMismatch(expected: "a number", found: #""7""#))
        #expect(decodingError(Bool.self, "1")?.problem == .typeMismatch(expected: "true or false", found: "1"))
    }

    @Test func errorsNameTheFieldAndTheValue() {
        let wrongElement = decodingError(Sample.self, #"{"count": 1, "ratio": 1, "tags": ["a", 5], "is_flag": true}"#)
        #expect(wrongElement == JSONDecodingError(path: ["tags", "1"], problem: .typeMismatch(expected: "a string", found: "5")))
        #expect(wrongElement?.description == #""tags.1" must be a string, found 5"#)
        let notAnArray = decodingError(Sample.self, #"{"count": 1, "ratio": 1, "tags": "a", "is_flag": true}"#)
        #expect(notAnArray?.reason == #"must be an array of strings, found "a""#)
        let nested = decodingError(Sample.self, #"{"count": 1, "ratio": 1, "tags": [], "is_flag": true, "nested": [[1], [300]]}"#)
        #expect(nested?.field == "nested.1.0")
        let missing = decodingError(Sample.self, #"{"count": 1, "tags": [], "is_flag": true}"#)
        #expect(missing == JSONDecodingError(path: ["ratio"], problem: .missing) && missing?.reason == "is missing")
        #expect(decodingError(Sample.self, "[1]")?.reason == "the top level is an array, not an object")
        #expect(decodingError(Sample.self, #"{"count": 1,}"#)?.reason == "unexpected '}' at byte 12")
        let long = String(repeating: "x", count: 100)
        #expect(decodingError(Int.self, "\"\(long)\"")?.problem
                == .typeMismatch(expected: "an integer", found: "\"" + String(repeating: "x", count: 60) + "…\""))
    }

    @Test func nullIsAnErrorOnlyWhereADefaultIsNotOptional() throws {
        struct Defaulted: Decodable {
            enum CodingKeys: CodingKey { case size }
            let size: Int
            init(from decoder: any Decoder) throws {
                size = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .size, default: 224)
            }
        }
        #expect(try decode(Defaulted.self, "{}").size == 224)
        #expect(try decode(Defaulted.self, #"{"size": 16}"#).size == 16)
        #expect(decodingError(Defaulted.self, #"{"size": null}"#)?.description == #""size" must be an integer, found null"#)
    }

    @Test func typesDescribeTheirOwnFormAndRefuseValuesWithAReason() {
        struct Side: JSONExpressible {
            static let expectedJSON = "an integer or [height, width]"
            init(from decoder: any Decoder) throws {
                if var pair = try? decoder.unkeyedContainer() {
                    guard pair.count == 2 else { throw decoder.invalidValue("must have two sides") }
                    _ = try pair.decode(Int.self)
                } else {
                    _ = try decoder.singleValueContainer().decode(Int.self)
                }
            }
        }
        #expect(decodingError([String: Side].self, #"{"image_size": "224"}"#)?.description
                == #""image_size" must be an integer or [height, width], found "224""#)
        #expect(decodingError([String: Side].self, #"{"image_size": [1, 2, 3]}"#)
                == JSONDecodingError(path: ["image_size"], problem: .invalidValue("must have two sides")))
    }

    @Test func aFailedDecodeDoesNotConsumeTheElement() throws {
        struct Mixed: Decodable {
            var values: [String] = []
            init(from decoder: any Decoder) throws {
                var list = try decoder.unkeyedContainer()
                while !list.isAtEnd {
                    if let number = try? list.decode(Int.self) { values.append("int \(number)") }
                    else if try list.decodeNil() { values.append("null") }
                    else { values.append(try list.decode(String.self)) }
                }
                #expect(throws: JSONDecodingError(path: ["3"], problem: .missing)) { try list.decode(Int.self) }
            }
        }
        #expect(try decode(Mixed.self, #"[1, "a", null]"#).values == ["int 1", "a", "null"])
    }

    @Test func theSourceReachesTheType() throws {
        struct Named: Decodable {
            let source: String?
            init(from decoder: any Decoder) throws { source = decoder.jsonSource }
        }
        #expect(try decode(Named.self, "{}").source == "sample.json")
        #expect(try JSONValueDecoder(dialect: .strict).decode(Named.self, from: Array("{}".utf8)).source == nil)
    }

    /// Lookups are by a hash table built once per object, so a file with many keys decodes in linear time.
    @Test func manyKeysDecode() throws {
        let count = 200_000
        let text = "{" + (0..<count).map { "\"k\($0)\": \($0)" }.joined(separator: ",") + "}"
        let decoded = try decode([String: Int].self, text)
        #expect(decoded.count == count && decoded["k\(count - 1)"] == count - 1)
    }
}
