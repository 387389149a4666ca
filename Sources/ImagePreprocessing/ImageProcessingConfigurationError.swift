import Foundation
import StrictJSON

/// An error reading or validating a `preprocessor_config.json`.
public enum ImageProcessingConfigurationError: Error, Sendable, Equatable, CustomStringConvertible,
    LocalizedError {
    /// The file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The data is not a JSON object.
    case malformedJSON(source: String?, reason: String)
    /// A field has a type or value transformers would reject.
    case invalidField(source: String?, field: String, reason: String)
    /// The configuration asks for something this implementation does not do.
    case unsupported(source: String?, String)

    /// A human-readable message naming the file (when known) and the problem.
    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read image processor configuration \(path): \(reason)"
        case .malformedJSON(let source, let reason):
            return "\(Self.subject(source)) is not a JSON object: \(reason)"
        case .invalidField(let source, let field, let reason):
            return "\(Self.subject(source)): field \"\(field)\" \(reason)"
        case .unsupported(let source, let what):
            return "\(Self.subject(source)) asks for something unsupported: \(what)"
        }
    }

    /// The same message as ``description``, for `LocalizedError` consumers.
    public var errorDescription: String? { description }

    /// The error for a document that does not decode: not a JSON object, or a field transformers would
    /// refuse (of the wrong type, or a value its form does not allow).
    init(_ error: JSONDecodingError) {
        self = error.path.isEmpty ? .malformedJSON(source: nil, reason: error.reason)
            : .invalidField(source: nil, field: error.field, reason: error.reason)
    }

    static func missingField(_ field: String, neededBy step: String) -> Self {
        .invalidField(source: nil, field: field, reason: "must be given when \(step) is true")
    }

    static func invalidValue(field: String, _ reason: String) -> Self {
        .invalidField(source: nil, field: field, reason: reason)
    }

    /// The same error with `source` filled in where the error does not name a file yet.
    func naming(_ source: String?) -> Self {
        guard let source else { return self }
        switch self {
        case .unreadableFile: return self
        case .malformedJSON(nil, let reason): return .malformedJSON(source: source, reason: reason)
        case .invalidField(nil, let field, let reason):
            return .invalidField(source: source, field: field, reason: reason)
        case .unsupported(nil, let what): return .unsupported(source: source, what)
        default: return self
        }
    }

    private static func subject(_ source: String?) -> String {
        source.map { "image processor configuration \($0)" } ?? "image processor configuration"
    }
}
