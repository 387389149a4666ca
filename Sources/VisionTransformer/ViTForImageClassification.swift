import Tensors
import Checkpoints

/// A Vision Transformer with a classification head, as transformers' `ViTForImageClassification`:
/// patch embedding, pre-LayerNorm encoder blocks, a final LayerNorm and a linear classifier on
/// the CLS token.
///
/// The model is immutable once built and can be shared between threads; each concurrent
/// forward pass needs its own ``Workspace``.
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
    let geometry: ModelGeometry

    /// The precision the model keeps its weights in.
    public let precision: WeightPrecision

    /// Builds the model from `weights` named as in a Hugging Face checkpoint.
    ///
    /// - Parameters:
    ///   - source: names the weights in errors (e.g. the checkpoint's path).
    ///   - precision: how the weights are kept while the model runs (see ``WeightPrecision``).
    /// - Throws: ``WeightBindingError`` listing every missing, unexpected and misshapen tensor,
    ///   or why the configuration is unusable.
    public init(configuration: ViTConfiguration, weights: any NamedTensors, source: String,
                precision: WeightPrecision = .float32) throws(WeightBindingError) {
        let geometry = try ModelGeometry(configuration)
        let binder = WeightBinder(weights, source: source, precision: precision)
        self.precision = precision
        let vit = binder.scoped("vit")
        let epsilon = configuration.layerNormEps
        embeddings = PatchEmbedding(vit.scoped("embeddings"), configuration: geometry)
        let encoder = vit.scoped("encoder").scoped("layer")
        layers = (0..<geometry.layers).map { index in
            EncoderLayer(encoder.scoped(String(index)), geometry: geometry, activation: configuration.hiddenAct,
                         epsilon: epsilon, qkvBias: configuration.qkvBias)
        }
        finalLayerNorm = LayerNormalization(vit.scoped("layernorm"), features: geometry.width, epsilon: epsilon)
        classifier = Linear(binder.scoped("classifier"), inputFeatures: geometry.width, outputFeatures: geometry.labels)
        try binder.finish()
        self.configuration = configuration
        self.geometry = geometry
    }

    /// The number of floats in one input image: `channels × imageSize × imageSize`.
    public var inputCount: Int { geometry.channels * geometry.imageSize * geometry.imageSize }

    /// The number of classes (logits per image).
    public var labelCount: Int { geometry.labels }

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

    /// Computes the logits of `batch` images.
    ///
    /// - Parameters:
    ///   - pixels: `batch × inputCount` floats, channels-first, as the image processor writes
    ///     them.
    ///   - logits: room for `batch × labelCount` floats; row `b` receives image `b`'s logits.
    ///   - workspace: scratch memory, reset here; after the first pass of a given (or larger)
    ///     batch size the pass performs no heap allocation.
    ///   - profile: when given, accumulates time per stage.
    public func logits(pixels: UnsafeBufferPointer<Float>, batch: Int, into logits: UnsafeMutableBufferPointer<Float>,
                       workspace: Workspace, profile: StageProfile? = nil) {
        precondition(batch >= 0 && pixels.count >= batch * inputCount && logits.count >= batch * labelCount,
                     "logits(pixels:batch:into:): buffer sizes do not match the batch")
        guard batch > 0, let pixelBase = pixels.baseAddress, let logitBase = logits.baseAddress else { return }
        workspace.reset()
        let tokens = geometry.tokens, width = geometry.width
        let hidden = workspace.matrix(rows: batch * tokens, columns: width)
        let normed = workspace.matrix(rows: batch * tokens, columns: width)
        let classTokens = workspace.matrix(rows: batch, columns: width)
        profile.measure(.patchEmbedding) { embeddings(pixelBase, batch: batch, into: hidden, workspace: workspace) }
        if let first = layers.first {
            profile.measure(.layerNorm) { first.layerNormBefore(hidden.readOnly, into: normed) }
        } else {
            let cls = MatrixView(hidden.base, rows: batch, columns: width, leadingDimension: tokens * width)
            profile.measure(.layerNorm) { finalLayerNorm(cls, into: classTokens) }
        }
        for (index, layer) in layers.enumerated() {
            let isLast = index == layers.count - 1
            layer(hidden: hidden, normed: normed.readOnly, batch: batch, tokens: tokens, classTokenOnly: isLast,
                  nextNorm: isLast ? finalLayerNorm : layers[index + 1].layerNormBefore,
                  nextNormed: isLast ? classTokens : normed, workspace: workspace, profile: profile)
        }
        profile.measure(.head) {
            let output = MutableMatrixView(logitBase, rows: batch, columns: labelCount)
            classifier.fillWithBias(output)
            classifier.multiply(classTokens.readOnly, into: output, accumulate: true, workspace: workspace)
        }
        profile?.finishPass()
        // Release the scratch now: if this first pass needed several blocks, they are merged
        // here, so the next pass of this size allocates nothing at all.
        workspace.reset()
    }
}
