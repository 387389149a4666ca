import Foundation
import StrictJSON
import Tensors

/// Why a model's `config.json` could not be used. Every case names the file, and the field where
/// there is one. (`preprocessor_config.json` has its own error, `ImageProcessingConfigurationError`.)
public enum ConfigurationError: Error, Sendable, Equatable {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid JSON, or not a JSON object.
    case invalidJSON(file: String, reason: String)
    /// A field has the wrong JSON type.
    case wrongType(file: String, field: String, expected: String, found: String)
    /// A field has a value of the right type that is not allowed.
    case invalidValue(file: String, field: String, reason: String)
    /// The configuration describes an architecture SwiftViT does not implement.
    case unsupportedArchitecture(file: String, architecture: String, reason: String)
    /// `model_type` names a model family SwiftViT does not implement.
    case unsupportedModelType(file: String, modelType: String)
    /// `hidden_act` names an activation SwiftViT does not implement.
    case unsupportedActivation(file: String, name: String)
    /// `id2label` and `num_labels` disagree, or `id2label` is not indexed 0..<n.
    case inconsistentLabels(file: String, reason: String)
}

extension ConfigurationError: CustomStringConvertible, LocalizedError {
    /// A message naming the file, the field and the problem.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .invalidJSON(let file, let reason):
            return "\(file): invalid JSON: \(reason)"
        case .wrongType(let file, let field, let expected, let found):
            return "\(file): \"\(field)\" must be \(expected), found \(found)"
        case .invalidValue(let file, let field, let reason):
            return "\(file): \"\(field)\" \(reason)"
        case .unsupportedArchitecture(let file, let architecture, let reason):
            return "\(file): unsupported architecture \(architecture): \(reason)"
        case .unsupportedModelType(let file, let modelType):
            return "\(file): unsupported model_type \"\(modelType)\" (SwiftViT runs \"vit\" models: ViTForImageClassification)"
        case .unsupportedActivation(let file, let name):
            return "\(file): \"hidden_act\" \"\(name)\" is not supported; supported: "
                + Activation.supportedHuggingFaceNames.joined(separator: ", ")
        case .inconsistentLabels(let file, let reason):
            return "\(file): \(reason)"
        }
    }

    /// The same message as ``description``.
    public var errorDescription: String? { description }
}

extension ConfigurationError {
    /// The error for a `config.json` that does not decode: a value of the wrong JSON type is
    /// ``wrongType(file:field:expected:found:)``, a document that is not a JSON object
    /// ``invalidJSON(file:reason:)``, any other refused value ``invalidValue(file:field:reason:)``.
    init(_ error: JSONDecodingError, file: String) {
        switch error.problem {
        case .typeMismatch(let expected, let found) where !error.path.isEmpty:
            self = .wrongType(file: file, field: error.field, expected: expected, found: found)
        default:
            self = error.path.isEmpty ? .invalidJSON(file: file, reason: error.reason)
                : .invalidValue(file: file, field: error.field, reason: error.reason)
        }
    }
}
