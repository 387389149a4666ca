import StrictJSON
import Tensors

/// A `config.json` read as transformers' `ViTConfig` reads it: transformers' key names, `ViTConfig`'s
/// defaults for absent keys, and its value types (see ``init(from:)``).
extension ViTConfiguration: Decodable {
    /// The `config.json` keys SwiftViT reads; every other key is ignored, as `ViTForImageClassification`
    /// ignores it.
    enum CodingKeys: String, CodingKey {
        case architectures
        case modelType = "model_type"
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps"
        case imageSize = "image_size"
        case patchSize = "patch_size"
        case numChannels = "num_channels"
        case qkvBias = "qkv_bias"
        case headDim = "head_dim"
        case numLabels = "num_labels"
        case id2label
        case problemType = "problem_type"
    }

    /// The most classes a configuration without `id2label` may ask for with `num_labels`, each of which
    /// gets a generated name: more than any classifier has, and few enough that a corrupt number cannot
    /// exhaust memory.
    static let maximumGeneratedLabelCount = 1 << 20

    /// Decodes a `config.json` and validates it (see ``validate(file:)``).
    ///
    /// Integer fields take JSON integers only (`224`, not `224.0`) and number fields any number, as in
    /// transformers; `image_size` and `patch_size` may be square `[h, w]` pairs. An explicit `null` is
    /// refused for the typed fields, as transformers' `ViTConfig` refuses `None`, and means "absent" for
    /// `architectures`, `model_type`, `id2label` and `problem_type`. To read a file exactly as Python's
    /// `json` does (`NaN`, repeated keys), use ``init(contentsOf:)`` or ``init(jsonData:path:)``.
    ///
    /// - Throws: ``ConfigurationError`` naming the decoder's `jsonSource` (else `config.json`) for
    ///   values SwiftViT cannot run; the decoder's error for values of the wrong type.
    public init(from decoder: any Decoder) throws {
        let file = decoder.jsonSource ?? Self.fileName
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        try Self.checkArchitecture(fields, file: file)
        let activationName = try fields.decode(String.self, forKey: .hiddenAct, default: "gelu")
        guard let hiddenAct = Activation(huggingFaceName: activationName) else {
            throw ConfigurationError.unsupportedActivation(file: file, name: activationName)
        }
        let defaults = ViTConfiguration()
        self.init(hiddenSize: try fields.decode(Int.self, forKey: .hiddenSize, default: defaults.hiddenSize),
                  numHiddenLayers: try fields.decode(Int.self, forKey: .numHiddenLayers, default: defaults.numHiddenLayers),
                  numAttentionHeads: try fields.decode(Int.self, forKey: .numAttentionHeads,
                                                       default: defaults.numAttentionHeads),
                  intermediateSize: try fields.decode(Int.self, forKey: .intermediateSize,
                                                      default: defaults.intermediateSize),
                  hiddenAct: hiddenAct,
                  layerNormEps: try fields.decode(Double.self, forKey: .layerNormEps, default: defaults.layerNormEps),
                  imageSize: try fields.decode(SquareSide.self, forKey: .imageSize,
                                               default: SquareSide(defaults.imageSize)).side,
                  patchSize: try fields.decode(SquareSide.self, forKey: .patchSize,
                                               default: SquareSide(defaults.patchSize)).side,
                  numChannels: try fields.decode(Int.self, forKey: .numChannels, default: defaults.numChannels),
                  qkvBias: try fields.decode(Bool.self, forKey: .qkvBias, default: defaults.qkvBias),
                  labels: try Self.labels(fields, file: file),
                  problemType: try fields.decodeIfPresent(String.self, forKey: .problemType))
        // Not a ViTConfig field, but some configs state it; it must agree with the heads.
        if let headDim = try fields.decodeIfPresent(Int.self, forKey: .headDim) {
            let (width, overflow) = numAttentionHeads.multipliedReportingOverflow(by: headDim)
            guard !overflow, width == hiddenSize else {
                throw ConfigurationError.invalidValue(
                    file: file, field: "head_dim",
                    reason: "(\(headDim)) × num_attention_heads (\(numAttentionHeads)) must equal hidden_size (\(hiddenSize))")
            }
        }
        try validate(file: file)
    }

    /// Rejects configurations of other architectures, naming them. DeiT in particular looks like
    /// ViT but is not: its embeddings add a distillation token, so every weight shape and the
    /// classifier input differ.
    private static func checkArchitecture(_ fields: KeyedDecodingContainer<CodingKeys>, file: String) throws {
        if let architectures = try fields.decodeIfPresent([String].self, forKey: .architectures),
           let name = architectures.first, !architectures.contains(supportedArchitecture) {
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
            throw ConfigurationError.unsupportedArchitecture(file: file, architecture: name, reason: reason)
        }
        if let modelType = try fields.decodeIfPresent(String.self, forKey: .modelType), modelType != supportedModelType {
            throw ConfigurationError.unsupportedModelType(file: file, modelType: modelType)
        }
    }

    /// The class names: from `id2label` (keys must be exactly "0" … "n-1"), else `LABEL_i` for
    /// `num_labels` (default 2), as transformers' `PretrainedConfig` builds them.
    private static func labels(_ fields: KeyedDecodingContainer<CodingKeys>, file: String) throws -> [String] {
        let numLabels = fields.contains(.numLabels) ? try fields.decode(Int.self, forKey: .numLabels) : nil
        if let numLabels, numLabels < 1 {
            throw ConfigurationError.invalidValue(file: file, field: "num_labels",
                                                  reason: "must be at least 1, found \(numLabels)")
        }
        guard fields.contains(.id2label), try !fields.decodeNil(forKey: .id2label) else {
            let count = numLabels ?? 2
            guard count <= maximumGeneratedLabelCount else {
                throw ConfigurationError.invalidValue(
                    file: file, field: "num_labels",
                    reason: "is \(count); without id2label at most \(maximumGeneratedLabelCount) classes are accepted")
            }
            return (0..<count).map { "LABEL_\($0)" }
        }
        let id2label = try fields.nestedContainer(keyedBy: JSONCodingKey.self, forKey: .id2label)
        let keys = id2label.allKeys
        guard !keys.isEmpty else { throw ConfigurationError.inconsistentLabels(file: file, reason: "\"id2label\" is empty") }
        // Bounded by the number of members actually present, never by a number in the file.
        var labels = [String?](repeating: nil, count: keys.count)
        for key in keys {
            let text = key.stringValue
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let index = Int(text), index < labels.count else {
                throw ConfigurationError.inconsistentLabels(
                    file: file, reason: "\"id2label\" key \"\(text)\" is not a class index in 0..<\(labels.count)")
            }
            let name = try id2label.decode(String.self, forKey: key)
            guard labels[index] == nil else {
                throw ConfigurationError.inconsistentLabels(file: file, reason: "\"id2label\" lists class \(index) twice")
            }
            labels[index] = name
        }
        // n distinct indices in 0..<n: every slot is filled.
        let names = labels.compactMap { $0 }
        if let numLabels, numLabels != names.count {
            throw ConfigurationError.inconsistentLabels(
                file: file, reason: "\"num_labels\" is \(numLabels) but \"id2label\" has \(names.count) labels")
        }
        return names
    }
}

/// `image_size` or `patch_size`: an integer or, in transformers, a `[height, width]` pair. SwiftViT
/// implements square images and patches.
private struct SquareSide: JSONExpressible {
    static let expectedJSON = "an integer or [height, width]"

    /// The side in pixels.
    let side: Int

    init(_ side: Int) {
        self.side = side
    }

    init(from decoder: any Decoder) throws {
        guard var pair = try? decoder.unkeyedContainer() else {
            side = try decoder.singleValueContainer().decode(Int.self)
            return
        }
        guard pair.count == 2 else { throw decoder.invalidValue("must be an integer or [height, width]") }
        let height = try pair.decode(Int.self)
        let width = try pair.decode(Int.self)
        guard height == width else {
            throw decoder.invalidValue("[\(height), \(width)] is not square; only square sizes are supported")
        }
        side = height
    }
}
