import Foundation

/// Decodes `Decodable` types from JSON read by ``JSONParser``, so that configuration files are plain
/// `Decodable` types with `CodingKeys` and still read exactly as their writers meant.
///
/// Foundation's `JSONDecoder` is not used because it reads a file differently from Python's `json`
/// module, with which transformers reads every configuration (seen with Swift 6.3 on Linux): of a
/// repeated key it keeps the first value, not the last; it decodes `224.0` and `1e3` into an `Int`,
/// which Python reads as floats; and it refuses the bare `NaN` and `Infinity` Python writes unless
/// switched to JSON5, which then also takes comments, trailing commas and hexadecimal. Here a number
/// keeps its literal, so an integer field refuses `224.0` as Python's `int` fields do, while a
/// floating-point field takes `1` or `1e-12`.
///
/// Errors from the document's shape are ``JSONDecodingError``s naming the field; errors a type's
/// `init(from:)` throws itself (its own validation) reach the caller unchanged, except
/// `DecodingError`s, which become ``JSONDecodingError``s too.
package struct JSONValueDecoder: Sendable {
    /// Which JSON documents are accepted.
    package enum Dialect: Sendable {
        /// RFC 8259, and an object may not repeat a key: for files whose every byte we must read
        /// unambiguously, such as records we wrote ourselves.
        case strict
        /// What Python's `json.loads` accepts: a repeated key keeps its last value, and `NaN`,
        /// `Infinity` and `-Infinity` are numbers.
        case python
    }

    /// The dialect documents are parsed in.
    package var dialect: Dialect
    /// A name for the document in messages (usually its path), handed to `init(from:)` as
    /// ``Swift/Decoder/jsonSource``.
    package var source: String?

    /// Creates a decoder for documents of `dialect`, named `source` in messages.
    package init(dialect: Dialect, source: String? = nil) {
        self.dialect = dialect
        self.source = source
    }

    /// Parses `bytes` in the decoder's dialect and decodes a `T` from the document.
    ///
    /// - Throws: ``JSONDecodingError`` if the bytes are not JSON of the dialect or the document does
    ///   not have the shape `T` needs; otherwise whatever `T.init(from:)` throws.
    package func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes, duplicateKeys: dialect == .strict ? .reject : .keepLast,
                                            allowsNonFiniteNumbers: dialect == .python)
        } catch {
            throw JSONDecodingError(path: [], problem: .syntax(error))
        }
        return try decode(type, from: document)
    }

    /// Parses `bytes` in the decoder's dialect and decodes a `T` from the document.
    package func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }

    /// Decodes a `T` from a parsed document.
    package func decode<T: Decodable>(_ type: T.Type, from document: JSONValue) throws -> T {
        var userInfo: [CodingUserInfoKey: Any] = [:]
        userInfo[.jsonSource] = source
        let decoder = JSONTreeDecoder(value: document, codingPath: [], userInfo: userInfo,
                                      expectation: JSONTreeDecoder.expectation(of: type))
        do {
            return try T(from: decoder)
        } catch let error as DecodingError {
            throw JSONDecodingError(error)
        }
    }
}

extension JSONValueDecoder {
    /// Decodes a `T` from `bytes` with every failure typed as `Failure`: an error `T.init(from:)`
    /// throws that is a `Failure` already stays as it is; a ``JSONDecodingError`` (and, defensively,
    /// any other error) becomes one through `failure`.
    package func decode<T: Decodable, Failure: Error>(_ type: T.Type, from bytes: [UInt8],
                                                      failure: (JSONDecodingError) -> Failure) throws(Failure) -> T {
        do {
            return try decode(type, from: bytes)
        } catch let error as Failure {
            throw error
        } catch let error as JSONDecodingError {
            throw failure(error)
        } catch {
            throw failure(JSONDecodingError(path: [], problem: .invalidValue("\(error)")))
        }
    }

    /// Reads the file at `url` (at most ``JSONFile/maximumSize`` bytes) and decodes a `T` from it as
    /// ``decode(_:from:failure:)`` does; a file that cannot be read fails through `unreadable`.
    package func decode<T: Decodable, Failure: Error>(_ type: T.Type, contentsOf url: URL,
                                                      unreadable: (JSONFile.ReadError) -> Failure,
                                                      failure: (JSONDecodingError) -> Failure) throws(Failure) -> T {
        let bytes: [UInt8]
        do {
            bytes = try JSONFile.contents(of: url)
        } catch {
            throw unreadable(error)
        }
        return try decode(type, from: bytes, failure: failure)
    }
}

extension CodingUserInfoKey {
    /// The name of the document being decoded (see ``JSONValueDecoder/source``).
    package static let jsonSource = CodingUserInfoKey(rawValue: "StrictJSON.source")!
}

extension Decoder {
    /// The name of the document being decoded, for a type's own error messages, when the decoder
    /// was given one.
    package var jsonSource: String? { userInfo[.jsonSource] as? String }
}

extension KeyedDecodingContainer {
    /// The value for `key`, or `defaultValue` when the key is absent.
    ///
    /// Unlike `decodeIfPresent`, an explicit `null` is an error ("must be an integer, found null"), as
    /// in transformers' typed configuration fields, which refuse `None`.
    package func decode<T: Decodable>(_ type: T.Type, forKey key: Key, default defaultValue: @autoclosure () -> T)
        throws -> T {
        contains(key) ? try decode(type, forKey: key) : defaultValue()
    }
}

/// A Decodable type that describes its JSON form for error messages, when that is more than the
/// kind of value its `init(from:)` asks for first: `"an integer or [height, width]"`.
package protocol JSONExpressible: Decodable {
    /// What the value must be, as in "must be …".
    static var expectedJSON: String { get }
}

extension Decoder {
    /// The error for this value having the right kind but a value its type refuses; `reason` reads
    /// after the field name, as in `"size" has keys [...]`.
    package func invalidValue(_ reason: String) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: reason))
    }
}
