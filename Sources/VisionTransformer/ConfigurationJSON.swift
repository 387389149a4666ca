import Foundation
import StrictJSON

/// A Hugging Face JSON configuration file read as a JSON object, with typed field accessors that
/// apply defaults and report problems as ``ConfigurationError``s naming the file and the field.
///
/// Shared by `config.json` (``ViTConfiguration``) and `preprocessor_config.json` parsing. The
/// file is parsed like Python's `json.load` reads it in transformers: a repeated key keeps its
/// last value, and `NaN`/`Infinity` are accepted.
struct ConfigurationJSON {
    /// The largest configuration file read, in bytes; real ones are at most a few hundred KB.
    static let maximumFileSize = 100_000_000

    /// The file's path, for messages.
    let path: String
    /// The top-level object.
    let object: JSONObject

    /// Reads and parses the file at `url`.
    init(contentsOf url: URL) throws(ConfigurationError) {
        let data: Data
        do {
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
            guard size <= Self.maximumFileSize else {
                throw ConfigurationError.unreadable(file: url.path, reason: "\(size) bytes is larger than any configuration")
            }
            data = try Data(contentsOf: url)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw .unreadable(file: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: url.path)
    }

    /// Parses a configuration held in memory; `path` names it in messages.
    init(data: Data, path: String) throws(ConfigurationError) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(Array(data), duplicateKeys: .keepLast, allowsNonFiniteNumbers: true)
        } catch {
            throw .invalidJSON(file: path, reason: error.description)
        }
        guard case .object(let object) = json else {
            throw .invalidJSON(file: path, reason: "the top level is \(json.kindDescription), not an object")
        }
        self.path = path
        self.object = object
    }

    /// The value of `field`, or `nil` if it is absent or `null` (transformers treats an explicit
    /// `null` like a missing key for every field read here).
    func value(_ field: String) -> JSONValue? {
        guard let value = object[field] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// An integer field, or `defaultValue` when absent.
    func integer(_ field: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        guard let value = value(field) else { return defaultValue }
        return try integer(value, field: field)
    }

    /// A JSON value that must be an integer (`224`, not `224.0`: transformers' strict configs
    /// reject floats for integer fields too).
    func integer(_ value: JSONValue, field: String) throws(ConfigurationError) -> Int {
        guard case .number(let number) = value, let integer = number.intValue else {
            throw wrongType(field, expected: "an integer", value)
        }
        return integer
    }

    /// A positive integer field, or `defaultValue` when absent.
    func positiveInteger(_ field: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        let integer = try integer(field, default: defaultValue)
        guard integer > 0 else { throw .invalidValue(file: path, field: field, reason: "must be positive, found \(integer)") }
        return integer
    }

    /// A number field (integer or not), or `defaultValue` when absent.
    func number(_ field: String, default defaultValue: Double) throws(ConfigurationError) -> Double {
        guard let value = value(field) else { return defaultValue }
        guard case .number(let number) = value else { throw wrongType(field, expected: "a number", value) }
        return number.doubleValue
    }

    /// A boolean field, or `defaultValue` when absent.
    func boolean(_ field: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let value = value(field) else { return defaultValue }
        guard case .bool(let bool) = value else { throw wrongType(field, expected: "true or false", value) }
        return bool
    }

    /// A string field, or `nil` when absent.
    func string(_ field: String) throws(ConfigurationError) -> String? {
        guard let value = value(field) else { return nil }
        guard case .string(let string) = value else { throw wrongType(field, expected: "a string", value) }
        return string
    }

    /// An array-of-strings field, or `nil` when absent.
    func strings(_ field: String) throws(ConfigurationError) -> [String]? {
        guard let value = value(field) else { return nil }
        guard case .array(let elements) = value else { throw wrongType(field, expected: "an array of strings", value) }
        var strings: [String] = []
        for element in elements {
            guard case .string(let string) = element else {
                throw wrongType(field, expected: "an array of strings", element)
            }
            strings.append(string)
        }
        return strings
    }

    /// The error for a field of the wrong type.
    func wrongType(_ field: String, expected: String, _ value: JSONValue) -> ConfigurationError {
        let found: String
        switch value {
        case .number(let number): found = number.literal
        case .string(let string): found = "\"\(string)\""
        case .bool(let bool): found = String(bool)
        default: found = value.kindDescription
        }
        return .wrongType(file: path, field: field, expected: expected, found: found)
    }
}
