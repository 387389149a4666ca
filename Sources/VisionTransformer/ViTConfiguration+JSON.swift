import Foundation
import Tensors

extension ViTConfiguration {
    /// The conventional file name of a model configuration.
    public static let fileName = "config.json"
    /// The only architecture SwiftViT implements.
    public static let supportedArchitecture = "ViTForImageClassification"
    /// The `model_type` of ViT configurations.
    public static let supportedModelType = "vit"
    /// The `problem_type` values transformers accepts.
    public static let knownProblemTypes = ["regression", "single_label_classification", "multi_label_classification"]

    /// Reads a Hugging Face `config.json`, applying transformers' `ViTConfig` defaults to absent
    /// fields, and validates it (see ``validate(file:)``).
    ///
    /// - Throws: ``ConfigurationError`` naming the file and the field.
    public init(contentsOf url: URL) throws(ConfigurationError) {
        try self.init(json: ConfigurationJSON(contentsOf: url))
    }

    /// Parses the contents of a `config.json`; `path` names it in error messages.
    public init(jsonData: Data, path: String = ViTConfiguration.fileName) throws(ConfigurationError) {
        try self.init(json: ConfigurationJSON(data: jsonData, path: path))
    }

    private init(json: ConfigurationJSON) throws(ConfigurationError) {
        try Self.checkArchitecture(json)

        let hiddenActName = try json.string("hidden_act") ?? "gelu"
        guard let hiddenAct = Activation(huggingFaceName: hiddenActName) else {
            throw .unsupportedActivation(file: json.path, name: hiddenActName)
        }
        let problemType = try json.string("problem_type")
        self.init(hiddenSize: try json.positiveInteger("hidden_size", default: 768),
                  numHiddenLayers: try json.positiveInteger("num_hidden_layers", default: 12),
                  numAttentionHeads: try json.positiveInteger("num_attention_heads", default: 12),
                  intermediateSize: try json.positiveInteger("intermediate_size", default: 3072),
                  hiddenAct: hiddenAct,
                  layerNormEps: try json.number("layer_norm_eps", default: 1e-12),
                  imageSize: try Self.squareSize(json, field: "image_size", default: 224),
                  patchSize: try Self.squareSize(json, field: "patch_size", default: 16),
                  numChannels: try json.positiveInteger("num_channels", default: 3),
                  qkvBias: try json.boolean("qkv_bias", default: true),
                  labels: try Self.labels(json),
                  problemType: problemType)
        if let headDim = json.value("head_dim") {
            let headDim = try json.integer(headDim, field: "head_dim")
            guard numAttentionHeads * headDim == hiddenSize else {
                throw .invalidValue(file: json.path, field: "head_dim",
                                    reason: "(\(headDim)) × num_attention_heads (\(numAttentionHeads)) must equal hidden_size (\(hiddenSize))")
            }
        }
        try validate(file: json.path)
    }

    /// Checks the invariants the model relies on: positive sizes, heads dividing the width, the
    /// image size divisible by the patch size, a positive finite LayerNorm epsilon, at least one
    /// label, and a `problem_type` transformers knows.
    ///
    /// - Parameter file: The file the configuration came from, for messages.
    public func validate(file: String = ViTConfiguration.fileName) throws(ConfigurationError) {
        let sizes = [("hidden_size", hiddenSize), ("num_hidden_layers", numHiddenLayers),
                     ("num_attention_heads", numAttentionHeads), ("intermediate_size", intermediateSize),
                     ("image_size", imageSize), ("patch_size", patchSize), ("num_channels", numChannels)]
        // Zero layers is a valid (if useless) model, as in transformers: embeddings, LayerNorm, head.
        for (field, value) in sizes where value <= 0 && !(field == "num_hidden_layers" && value == 0) {
            throw .invalidValue(file: file, field: field, reason: "must be positive, found \(value)")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw .invalidValue(file: file, field: "num_attention_heads",
                                reason: "(\(numAttentionHeads)) must divide hidden_size (\(hiddenSize))")
        }
        guard imageSize % patchSize == 0 else {
            throw .invalidValue(file: file, field: "patch_size",
                                reason: "(\(patchSize)) must divide image_size (\(imageSize))")
        }
        guard layerNormEps.isFinite, layerNormEps > 0 else {
            throw .invalidValue(file: file, field: "layer_norm_eps", reason: "must be a positive finite number, found \(layerNormEps)")
        }
        guard !labels.isEmpty else {
            throw .inconsistentLabels(file: file, reason: "the model must have at least one label")
        }
        if let problemType {
            guard Self.knownProblemTypes.contains(problemType) else {
                throw .invalidValue(file: file, field: "problem_type",
                                    reason: "\"\(problemType)\" is not one of \(Self.knownProblemTypes.joined(separator: ", "))")
            }
            guard !(problemType == "single_label_classification" && labels.count == 1) else {
                throw .invalidValue(file: file, field: "problem_type",
                                    reason: "single_label_classification requires more than one label")
            }
        }
    }

    /// Rejects configurations of other architectures, naming them. DeiT in particular looks like
    /// ViT but is not: its embeddings add a distillation token, so every weight shape and the
    /// classifier input differ.
    private static func checkArchitecture(_ json: ConfigurationJSON) throws(ConfigurationError) {
        if let architectures = try json.strings("architectures"), !architectures.isEmpty,
           !architectures.contains(supportedArchitecture) {
            let name = architectures[0]
            let reason: String
            switch name {
            case "DeiTForImageClassification", "DeiTForImageClassificationWithTeacher", "DeiTModel":
                reason = "DeiT adds a distillation token to the sequence (and the teacher variant averages two heads); "
                    + "only \(supportedArchitecture) is implemented"
            case "ViTModel", "ViTForMaskedImageModeling":
                reason = "it has no image-classification head; only \(supportedArchitecture) is implemented"
            default:
                reason = "only \(supportedArchitecture) is implemented"
            }
            throw .unsupportedArchitecture(file: json.path, architecture: name, reason: reason)
        }
        if let modelType = try json.string("model_type"), modelType != supportedModelType {
            throw .unsupportedModelType(file: json.path, modelType: modelType)
        }
    }

    /// `image_size` and `patch_size` may be an integer or, in transformers, a `[height, width]`
    /// pair; SwiftViT implements square images and patches.
    private static func squareSize(_ json: ConfigurationJSON, field: String, default defaultValue: Int)
        throws(ConfigurationError) -> Int {
        guard let value = json.value(field) else { return defaultValue }
        if case .array(let elements) = value {
            guard elements.count == 2 else {
                throw .invalidValue(file: json.path, field: field, reason: "must be an integer or [height, width]")
            }
            let height = try json.integer(elements[0], field: field)
            let width = try json.integer(elements[1], field: field)
            guard height == width else {
                throw .invalidValue(file: json.path, field: field,
                                    reason: "[\(height), \(width)] is not square; only square sizes are supported")
            }
            return height
        }
        return try json.integer(value, field: field)
    }

    /// The class names: from `id2label` (keys must be exactly "0" … "n-1"), else `LABEL_i` for
    /// `num_labels` (default 2), as transformers' `PretrainedConfig` builds them.
    private static func labels(_ json: ConfigurationJSON) throws(ConfigurationError) -> [String] {
        let numLabels: Int? = try json.value("num_labels").map { value throws(ConfigurationError) in
            try json.integer(value, field: "num_labels")
        }
        if let numLabels, numLabels < 1 {
            throw .invalidValue(file: json.path, field: "num_labels", reason: "must be at least 1, found \(numLabels)")
        }
        guard let id2labelValue = json.value("id2label") else {
            return (0..<(numLabels ?? 2)).map { "LABEL_\($0)" }
        }
        guard case .object(let id2label) = id2labelValue else {
            throw json.wrongType("id2label", expected: "an object mapping \"0\"… to names", id2labelValue)
        }
        guard !id2label.members.isEmpty else {
            throw .inconsistentLabels(file: json.path, reason: "\"id2label\" is empty")
        }
        // Bounded by the number of members actually present, never by a number in the file.
        var labels = [String?](repeating: nil, count: id2label.members.count)
        for (key, value) in id2label.members {
            guard !key.isEmpty, key.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let index = Int(key), index < labels.count else {
                throw .inconsistentLabels(file: json.path,
                                          reason: "\"id2label\" key \"\(key)\" is not a class index in 0..<\(labels.count)")
            }
            guard case .string(let name) = value else {
                throw json.wrongType("id2label.\(key)", expected: "a string", value)
            }
            guard labels[index] == nil else {
                throw .inconsistentLabels(file: json.path, reason: "\"id2label\" lists class \(index) twice")
            }
            labels[index] = name
        }
        // n distinct indices in 0..<n: every slot is filled.
        let names = labels.compactMap { $0 }
        if let numLabels, numLabels != names.count {
            throw .inconsistentLabels(file: json.path,
                                      reason: "\"num_labels\" is \(numLabels) but \"id2label\" has \(names.count) labels")
        }
        return names
    }
}
