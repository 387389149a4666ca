import ImagePreprocessing
import Tensors
import VisionTransformer

extension ImageClassifier {
    /// Settings for loading and running a classifier.
    public struct Options: Sendable {
        /// Compute threads for the whole process (our kernels and OpenBLAS together), or `nil`
        /// for one per available core. The setting is process-wide: the last classifier
        /// created decides it.
        public var threads: Int?
        /// The most images one forward pass takes; larger batch requests are split.
        /// Batches of 4–8 are the most efficient per image on CPUs; 1 gives the lowest latency.
        public var batchSize: Int
        /// Images with more pixels than this are refused before they are decoded.
        public var maximumPixelCount: Int
        /// Hub revision (branch, tag or commit) when loading by id.
        public var revision: String
        /// How the weights are kept while the model runs: Float32 (default; exact, fastest), or
        /// bfloat16 (half the memory, the logits of the model saved in bfloat16, slower).
        public var weightPrecision: WeightPrecision
        /// Which transformers image-processor backend the pixel values reproduce, bit for bit:
        /// `.torchvision` (default: what `pipeline(...)` and `AutoImageProcessor` use whenever torchvision
        /// is installed) or `.pillow` (transformers without torchvision, or `backend="pil"`). Models whose
        /// `preprocessor_config.json` asks for box or Hamming resampling need `.pillow`, as they do in
        /// transformers. Ignored by ``ImageClassifier/init(model:processor:options:files:loadDuration:)``,
        /// whose processor has its own.
        public var processorBackend: ProcessorBackend

        /// Creates options; the defaults suit most machines.
        public init(threads: Int? = nil, batchSize: Int = 8,
                    maximumPixelCount: Int = ImageDecoder.defaultMaximumPixelCount, revision: String = "main",
                    weightPrecision: WeightPrecision = .float32, processorBackend: ProcessorBackend = .torchvision) {
            self.threads = threads
            self.batchSize = batchSize
            self.maximumPixelCount = maximumPixelCount
            self.revision = revision
            self.weightPrecision = weightPrecision
            self.processorBackend = processorBackend
        }
    }
}
