import Tensors

/// The architecture of a Vision Transformer image classifier: every field of a Hugging Face
/// `config.json` that `ViTForImageClassification` uses, with transformers' defaults.
public struct ViTConfiguration: Sendable, Equatable {
    /// Width of the token embeddings (`hidden_size`, default 768).
    public var hiddenSize: Int
    /// Number of encoder layers (`num_hidden_layers`, default 12).
    public var numHiddenLayers: Int
    /// Number of attention heads per layer (`num_attention_heads`, default 12).
    public var numAttentionHeads: Int
    /// Width of the MLP's hidden layer (`intermediate_size`, default 3072).
    public var intermediateSize: Int
    /// The MLP's activation (`hidden_act`, default `"gelu"`, the exact erf form).
    public var hiddenAct: Activation
    /// Epsilon of every LayerNorm (`layer_norm_eps`, default 1e-12).
    public var layerNormEps: Double
    /// Side of the square input image in pixels (`image_size`, default 224).
    public var imageSize: Int
    /// Side of a square patch in pixels (`patch_size`, default 16).
    public var patchSize: Int
    /// Channels of the input image (`num_channels`, default 3).
    public var numChannels: Int
    /// Whether the query, key and value projections have biases (`qkv_bias`, default true).
    public var qkvBias: Bool
    /// Class names in class-index order (from `id2label`; `LABEL_i` when a config has only
    /// `num_labels`). Its count is the number of labels.
    public var labels: [String]
    /// `problem_type`, e.g. `"single_label_classification"` or `"multi_label_classification"`.
    public var problemType: String?

    /// The number of output classes.
    public var numLabels: Int { labels.count }
    /// The width of one attention head.
    public var headSize: Int { hiddenSize / numAttentionHeads }
    /// The number of patches along one side of the image.
    public var patchesPerSide: Int { imageSize / patchSize }
    /// The number of tokens in a sequence: one per patch, plus the CLS token.
    public var sequenceLength: Int { patchesPerSide * patchesPerSide + 1 }

    /// Creates a configuration from its fields; the defaults are those of transformers' `ViTConfig`.
    public init(hiddenSize: Int = 768, numHiddenLayers: Int = 12, numAttentionHeads: Int = 12,
                intermediateSize: Int = 3072, hiddenAct: Activation = .gelu, layerNormEps: Double = 1e-12,
                imageSize: Int = 224, patchSize: Int = 16, numChannels: Int = 3, qkvBias: Bool = true,
                labels: [String] = ["LABEL_0", "LABEL_1"], problemType: String? = nil) {
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.hiddenAct = hiddenAct
        self.layerNormEps = layerNormEps
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.numChannels = numChannels
        self.qkvBias = qkvBias
        self.labels = labels
        self.problemType = problemType
    }
}

extension ViTConfiguration {
    /// Checks the invariants the model relies on: positive sizes, heads dividing the width, the
    /// image size divisible by the patch size, a sequence length that can be computed, a positive
    /// finite LayerNorm epsilon, at least one label, and a `problem_type` transformers knows.
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
        // sequenceLength is patchesPerSide² + 1: refuse sizes where that overflows rather than trap later.
        let (patches, overflow) = patchesPerSide.multipliedReportingOverflow(by: patchesPerSide)
        guard !overflow, patches < Int.max else {
            throw .invalidValue(file: file, field: "image_size",
                                reason: "(\(imageSize)) has more patches of \(patchSize) pixels than can be counted")
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
}
