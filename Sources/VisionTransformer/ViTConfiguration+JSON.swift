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
        let bytes: [UInt8]
        do {
            bytes = try JSONFile.contents(of: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.description)
        }
        try self.init(jsonBytes: bytes, path: url.path)
    }

    /// Parses the contents of a `config.json` like ``init(contentsOf:)``; `path` names it in error messages.
    public init(jsonData: Data, path: String = ViTConfiguration.fileName) throws(ConfigurationError) {
        try self.init(jsonBytes: Array(jsonData), path: path)
    }

    private init(jsonBytes: [UInt8], path: String) throws(ConfigurationError) {
        do {
            self = try JSONValueDecoder(dialect: .python, source: path).decode(Self.self, from: jsonBytes)
        } catch let error as ConfigurationError {
            throw error
        } catch let error as JSONDecodingError {
            throw ConfigurationError(error, file: path)
        } catch {
            // init(from:) throws only the two above; keep any other error typed all the same.
            throw .invalidJSON(file: path, reason: "\(error)")
        }
    }
}
