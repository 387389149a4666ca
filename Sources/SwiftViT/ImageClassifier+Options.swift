import ImagePreprocessing
import Tensors
import VisionTransformer

extension ImageClassifier {
    /// Settings for loading and running a classifier.
    public struct Options: Sendable {
        /// The classifier's compute threads (every forward pass runs on them, the caller's thread
        /// counting as one), or `nil` for one per available core. Results do not depend on it.
        public var threads: Int?
        /// The most images one forward pass takes; larger batch requests are split.
        /// Batches of 4–8 are the most efficient per image on CPUs; 1 gives the lowest latency.
        public var batchSize: Int
        /// Images with more pixels than this are refused before they are decoded.
        public var maximumPixelCount: Int
        /// The most bytes decoding and resizing one image may allocate; an image that would need more is
        /// refused (``ImageDecodingError/exceedsMemoryBudget(source:needed:budget:)``) before anything big is
        /// allocated. Files are decoded row by row into the resize, so most images need a few megabytes
        /// however large they are; progressive JPEGs also keep their DCT coefficients, compressed (about
        /// 3 bytes per 8×8 block for smooth content, growing with detail, at most about 3 bytes per pixel
        /// for 4:2:0 noise), and are stopped with the same error if those outgrow the budget. The default,
        /// ``ImageDecoder/defaultMemoryBudget``, is an eighth of the machine's (or container's) memory.
        public var decodingMemoryBudget: Int
        /// Hub revision (branch, tag or commit) when loading by id.
        public var revision: String
        /// The values the weights take: the checkpoint's (default), or rounded to bfloat16 (the
        /// logits of the model saved in bfloat16).
        public var weightPrecision: WeightPrecision
        /// Which transformers image-processor backend the pixel values reproduce, bit for bit:
        /// `.torchvision` (default: what `pipeline(...)` and `AutoImageProcessor` use whenever torchvision
        /// is installed) or `.pillow` (transformers without torchvision, or `backend="pil"`). Models whose
        /// `preprocessor_config.json` asks for box or Hamming resampling need `.pillow`, as they do in
        /// transformers. Ignored by ``ImageClassifier/init(model:processor:options:files:loadDuration:)``,
        /// whose processor has its own.
        public var processorBackend: ProcessorBackend
        /// The number format of the network's projection GEMMs (and, in bfloat16 or int8, of
        /// attention's products in bfloat16): Float32 (default, exact), or bfloat16 / int8 for speed at
        /// a measured cost in fidelity (Documentation/Fidelity.md).
        public var computePrecision: ComputePrecision

        /// Creates options; the defaults suit most machines.
        public init(threads: Int? = nil, batchSize: Int = 8,
                    maximumPixelCount: Int = ImageDecoder.defaultMaximumPixelCount, revision: String = "main",
                    weightPrecision: WeightPrecision = .float32, computePrecision: ComputePrecision = .float32,
                    processorBackend: ProcessorBackend = .torchvision,
                    decodingMemoryBudget: Int = ImageDecoder.defaultMemoryBudget) {
            self.threads = threads
            self.batchSize = batchSize
            self.maximumPixelCount = maximumPixelCount
            self.decodingMemoryBudget = decodingMemoryBudget
            self.revision = revision
            self.weightPrecision = weightPrecision
            self.computePrecision = computePrecision
            self.processorBackend = processorBackend
        }
    }
}
