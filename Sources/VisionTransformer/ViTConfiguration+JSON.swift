import Foundation
import StrictJSON

extension ViTConfiguration {
    /// The conventional file name of a model configuration.
    public static let fileName = "config.json"
    /// The only architecture SwiftViT implements.
    public static let supportedArchitecture = "ViTForImageClassification"
    /// The `model_type` of ViT configurations.
    public static let supportedModelType = "vit"
    /// The `problem_type` values transformers accepts.
    public static let knownProblemTypes = ["regression", "single_label_classification", "multi_label_classification"]

    /// Reads a Hugging Face `config.json` as transformers does (Python's `json`: a repeated key keeps its
    /// last value, `NaN` and `Infinity` are numbers), applies `ViTConfig`'s defaults to absent fields,
    /// and validates the result (see ``init(from:)``).
    ///
    /// - Throws: ``ConfigurationError`` naming the file and the field.
    public init(contentsOf url: URL) throws(ConfigurationError) {
        self = try JSONValueDecoder(dialect: .python, source: url.path).decode(
            Self.self, contentsOf: url,
            unreadable: { ConfigurationError.unreadable(file: url.path, reason: $0.description) },
            failure: { ConfigurationError($0, file: url.path) })
    }

    /// Parses the contents of a `config.json` like ``init(contentsOf:)``; `path` names it in error messages.
    public init(jsonData: Data, path: String = ViTConfiguration.fileName) throws(ConfigurationError) {
        self = try JSONValueDecoder(dialect: .python, source: path).decode(
            Self.self, from: Array(jsonData), failure: { ConfigurationError($0, file: path) })
    }
}
