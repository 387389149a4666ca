import Checkpoints
import Tensors

/// A Vision Transformer with a classification head, as transformers' `ViTForImageClassification`:
/// patch embedding, pre-LayerNorm encoder blocks, a final LayerNorm and a linear classifier on
/// the CLS token.
///
/// Its weights are packed at load for one instruction set's GEMM kernels. The model is immutable
/// once built and can be shared between threads; each concurrent forward pass needs its own
/// `ForwardState`.
public final class ViTForImageClassification: Sendable {
    /// The configuration the model was built from.
    public let configuration: ViTConfiguration
    /// `vit.embeddings`.
    public let embeddings: PatchEmbedding
    /// `vit.encoder.layer.*`.
    public let layers: [EncoderLayer]
    /// `vit.layernorm`.
    public let finalLayerNorm: LayerNormalization
    /// `classifier`.
    public let classifier: Linear
    /// The precision the model keeps its weights in.
    public let precision: WeightPrecision
    /// The kernels the weights are packed for and the forward pass runs.
    public let instructionSet: VectorInstructionSet
    /// The number format of the projection GEMMs (QKV, attention output, MLP).
    public let computePrecision: ComputePrecision

    /// Builds the model from `weights` named as in a Hugging Face checkpoint, packing every matrix
    /// for `instructionSet`'s kernels (in parallel on `pool`); the checkpoint's memory-mapped
    /// pages are released as their tensors are packed.
    ///
    /// - Parameters:
    ///   - source: names the weights in errors (e.g. the checkpoint's path).
    ///   - precision: the values the weights take (see ``WeightPrecision``).
    ///   - computePrecision: the number format of the projection GEMMs (see `ComputePrecision`).
    /// - Throws: ``WeightBindingError`` listing every missing, unexpected and misshapen tensor,
    ///   or why the configuration is unusable.
    public init(configuration: ViTConfiguration, weights: any NamedTensors, source: String,
                precision: WeightPrecision = .float32, instructionSet: VectorInstructionSet = .detected,
                computePrecision: ComputePrecision = .float32, pool: ThreadPool? = nil) throws(WeightBindingError) {
        try Self.validate(configuration)
        guard computePrecision == .float32 || instructionSet.hasOwnGEMM else {
            throw .unsupportedPrecision(precision: computePrecision.description, instructionSet: instructionSet.description)
        }
        let binder = WeightBinder(weights, source: source, precision: precision, instructionSet: instructionSet,
                                  computePrecision: computePrecision, pool: pool)
        let vit = binder.scoped("vit")
        embeddings = PatchEmbedding(vit.scoped("embeddings"), configuration: configuration)
        let encoder = vit.scoped("encoder").scoped("layer")
        layers = (0..<configuration.numHiddenLayers).map { index in
            EncoderLayer(encoder.scoped(String(index)), configuration: configuration)
        }
        finalLayerNorm = LayerNormalization(vit.scoped("layernorm"), features: configuration.hiddenSize,
                                            epsilon: configuration.layerNormEps)
        classifier = Linear(binder.scoped("classifier"), inputFeatures: configuration.hiddenSize,
                            outputFeatures: configuration.numLabels)
        try binder.finish()
        self.configuration = configuration
        self.precision = precision
        self.instructionSet = instructionSet
        self.computePrecision = computePrecision
    }

    /// The configuration's own checks, and bounds that keep every size product far from overflow.
    private static func validate(_ configuration: ViTConfiguration) throws(WeightBindingError) {
        do {
            try configuration.validate()
        } catch {
            throw .invalidConfiguration("\(error)")
        }
        let c = configuration
        guard c.hiddenSize <= 1 << 16, c.intermediateSize <= 1 << 18, c.numHiddenLayers <= 1024,
              c.imageSize <= 1 << 14, c.numChannels <= 64, c.numLabels <= 1 << 20 else {
            throw .invalidConfiguration("the configuration's sizes are implausibly large")
        }
    }

    /// The number of floats in one input image: `channels × imageSize × imageSize`.
    public var inputCount: Int { configuration.numChannels * configuration.imageSize * configuration.imageSize }

    /// The number of classes (logits per image).
    public var labelCount: Int { configuration.numLabels }

    /// The FLOPs of one image's forward pass (see ``flops(_:)``).
    public var flopsPerImage: Double { Self.flops(configuration) }

    /// Twice the multiply-adds of one image's forward pass as the configuration defines it:
    /// patch projection, every token through every layer (projections, attention products, MLP)
    /// and the classifier; element-wise work is not counted. This is the count benchmarks divide
    /// by, so the last layer's CLS-only shortcut counts as if the work were done, as it is for
    /// any other implementation measured the same way.
    public static func flops(_ configuration: ViTConfiguration) -> Double {
        let t = Double(configuration.sequenceLength), d = Double(configuration.hiddenSize)
        let i = Double(configuration.intermediateSize)
        let patchLength = Double(configuration.numChannels * configuration.patchSize * configuration.patchSize)
        let patches = (t - 1) * patchLength * d
        let perLayer = t * d * 3 * d + 2 * t * t * d + t * d * d + 2 * t * d * i
        return 2 * (patches + Double(configuration.numHiddenLayers) * perLayer + d * Double(configuration.numLabels))
    }
}
