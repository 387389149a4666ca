import Foundation
import ImagePreprocessing
import Tensors
import VisionTransformer
import ModelHub
import Checkpoints

/// Labels images with a Vision Transformer checkpoint from the Hugging Face Hub or a folder,
/// giving the classes transformers' image-classification pipeline gives.
///
/// ```swift
/// let classifier = try await ImageClassifier()              // google/vit-base-patch16-224
/// for result in try classifier.classify(contentsOf: URL(fileURLWithPath: "cat.jpg")) {
///     print(result.label, result.score)
/// }
/// ```
///
/// A classifier is immutable and `Sendable`: share one across threads and tasks. Concurrent
/// calls each get their own buffers. `classify` is synchronous CPU work that runs on the
/// classifier's own compute threads (``Options/threads``); from async code,
/// `try await classify(_: ImageInput)` suspends instead and batches concurrent calls together
/// (see ``ClassificationQueue``).
public final class ImageClassifier: Sendable {
    /// The model's configuration (`config.json`).
    public let configuration: ViTConfiguration
    /// The image preprocessing (`preprocessor_config.json`).
    public let processor: ImageProcessor
    /// The network.
    public let model: ViTForImageClassification
    /// How logits become scores.
    public let scoreFunction: ScoreFunction
    /// The options the classifier was created with.
    public let options: Options
    /// Where the model came from (a folder, or a snapshot in the Hugging Face cache).
    public let files: ModelFiles?
    /// How long opening the weights and building the model took.
    public let loadDuration: Duration
    let decoder: ImageDecoder
    /// The classifier's compute threads: every forward pass (and the packing at load) runs on them.
    let pool: ThreadPool
    let states: ForwardStatePool
    /// The queue behind the async `classify`, created on first use.
    let ownQueue = OwnClassificationQueue()

    /// The model's class names, by class index.
    public var labels: [String] { configuration.labels }

    /// The GEMM kernel the network's projections run on, e.g. `avx512 fp32 FMA` or
    /// `avx512_vnni vpdpbusd`.
    public var kernelDescription: String {
        MatrixMultiply.kernelName(model.instructionSet, model.computePrecision)
    }

    /// Loads a model by Hub id (found in the Hugging Face cache or downloaded into it) or from a
    /// local folder holding `config.json`, `preprocessor_config.json` and safetensors weights.
    ///
    /// - Parameters:
    ///   - model: a Hub id such as `google/vit-base-patch16-224`, or a directory path.
    ///   - options: threads, batch size, revision, image size limit, processor backend.
    ///   - progress: the download of each missing file, then the reading of the weights from disk.
    public convenience init(model: String = ModelRepository.defaultModel, options: Options = Options(),
                            progress: LoadingProgressHandler? = nil) async throws(ImageClassifierError) {
        let files: ModelFiles
        do {
            var downloads: DownloadProgressHandler?
            if let progress { downloads = { @Sendable download in progress(LoadingProgress(download)) } }
            files = try await ModelRepository().resolve(model, revision: options.revision, progress: downloads)
        } catch let error as ModelRepositoryError {
            throw .modelUnavailable(model: model, error: error)
        } catch {
            // `resolve` throws nothing else but `CancellationError`.
            throw .cancelled(model: model)
        }
        try self.init(files: files, options: options, progress: progress)
    }

    /// Loads a model from a local folder (no network); `progress` sees the weights being read from disk.
    public convenience init(directory: URL, options: Options = Options(),
                            progress: LoadingProgressHandler? = nil) throws(ImageClassifierError) {
        let files: ModelFiles
        do {
            files = try ModelRepository().localFiles(in: directory)
        } catch {
            throw .modelUnavailable(model: directory.path, error: error)
        }
        try self.init(files: files, options: options, progress: progress)
    }

    /// Loads the model in `files`; `progress` sees the weights being read from disk.
    public convenience init(files: ModelFiles, options: Options = Options(),
                            progress: LoadingProgressHandler? = nil) throws(ImageClassifierError) {
        let start = ContinuousClock.now
        let configuration: ViTConfiguration
        let processing: ImageProcessingConfiguration
        let checkpoint: Checkpoint
        do { configuration = try ViTConfiguration(contentsOf: files.configuration) } catch { throw .invalidConfiguration(error) }
        do {
            processing = try ImageProcessingConfiguration(contentsOf: files.preprocessorConfiguration)
        } catch { throw .invalidPreprocessorConfiguration(error) }
        let processor: ImageProcessor
        do {
            processor = try ImageProcessor(configuration: processing, backend: options.processorBackend)
        } catch { throw .unsupportedPreprocessing(model: files.directory.path, error: error) }
        if let progress { WeightFileReader.read(files.weights, progress: progress) }
        do { checkpoint = try files.openCheckpoint() } catch { throw .invalidCheckpoint(error) }
        try Self.validate(options)
        let pool = ThreadPool(threadCount: options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let model: ViTForImageClassification
        do {
            model = try ViTForImageClassification(configuration: configuration, weights: checkpoint,
                                                  source: files.directory.path, precision: options.weightPrecision,
                                                  computePrecision: options.computePrecision, pool: pool)
        } catch { throw .weightsDoNotMatch(error) }
        try self.init(model: model, processor: processor, options: options,
                      files: files, loadDuration: ContinuousClock.now - start, pool: pool)
    }

    /// Wraps an already built model and processor (for models built in memory).
    public convenience init(model: ViTForImageClassification, processor: ImageProcessor, options: Options = Options(),
                            files: ModelFiles? = nil, loadDuration: Duration = .zero) throws(ImageClassifierError) {
        try Self.validate(options)
        let pool = ThreadPool(threadCount: options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        try self.init(model: model, processor: processor, options: options, files: files, loadDuration: loadDuration,
                      pool: pool)
    }

    private static func validate(_ options: Options) throws(ImageClassifierError) {
        guard options.batchSize >= 1 else { throw .invalidArgument("the batch size must be at least 1") }
        if let threads = options.threads, threads < 1 { throw .invalidArgument("the thread count must be at least 1") }
    }

    private init(model: ViTForImageClassification, processor: ImageProcessor, options: Options, files: ModelFiles?,
                 loadDuration: Duration, pool: ThreadPool) throws(ImageClassifierError) {
        let name = files?.directory.path ?? "model"
        let configuration = model.configuration
        guard configuration.numChannels == processor.channelCount else {
            throw .incompatibleModel(model: name, reason: "the model takes \(configuration.numChannels)-channel "
                                     + "images; SwiftViT feeds RGB (3 channels)")
        }
        for side in [processor.outputHeight, processor.outputWidth] {
            if let side, side != configuration.imageSize {
                throw .incompatibleModel(model: name, reason: "preprocessor_config.json makes "
                    + "\(processor.outputWidth.map(String.init) ?? "?")×\(processor.outputHeight.map(String.init) ?? "?") "
                    + "inputs but config.json's image_size is \(configuration.imageSize)")
            }
        }
        self.pool = pool
        self.states = ForwardStatePool { capacity in ForwardState(model: model, batchCapacity: capacity, pool: pool) }
        self.configuration = configuration
        self.processor = processor
        self.model = model
        self.scoreFunction = ScoreFunction(for: configuration)
        self.options = options
        self.files = files
        self.loadDuration = loadDuration
        self.decoder = ImageDecoder(maximumPixelCount: options.maximumPixelCount,
                                    memoryBudget: options.decodingMemoryBudget)
    }

    // MARK: - Preparing images

    /// Decodes (for files and bytes) and preprocesses one image. Files and bytes are decoded row by row
    /// straight into the resize, so memory stays within ``Options/decodingMemoryBudget``.
    public func prepare(_ input: ImageInput) throws(ImageClassifierError) -> PreparedImage {
        let encoded: EncodedImage
        switch input {
        case .file(let url): encoded = try open { () throws(ImageDecodingError) in try decoder.open(contentsOf: url) }
        case .data(let data, let name): encoded = try open { () throws(ImageDecodingError) in try decoder.open(data, source: name) }
        case .image(let image, _):
            try checkOutputSize(width: image.width, height: image.height, of: input)
            return PreparedImage(name: input.name, pixelValues: processor.process(image))
        }
        try checkOutputSize(width: encoded.width, height: encoded.height, of: input)
        do {
            return PreparedImage(name: input.name, pixelValues: try processor.process(encoded))
        } catch { throw .undecodableImage(error) }
    }

    private func open(_ body: () throws(ImageDecodingError) -> EncodedImage) throws(ImageClassifierError) -> EncodedImage {
        do { return try body() } catch { throw .undecodableImage(error) }
    }

    /// Checks that preprocessing makes an upright `width × height` image the model's input size.
    private func checkOutputSize(width: Int, height: Int, of input: ImageInput) throws(ImageClassifierError) {
        let size = processor.outputSize(forImageWidth: width, height: height)
        guard size.width == configuration.imageSize, size.height == configuration.imageSize else {
            throw .unsupportedInput(source: input.name, reason: "preprocessing made a \(size.width)×\(size.height) "
                                    + "input, but the model takes \(configuration.imageSize)×\(configuration.imageSize)")
        }
    }

    // MARK: - Classifying

    // Every `classify` takes `topK` ≥ 1 (the number of classes to return, best first); more than the model
    // has are capped at its label count, as transformers' pipeline caps `top_k`. Anything less is
    // ImageClassifierError.invalidArgument, the same rule as vit-classify's --top-k.

    /// The `topK` most likely classes of the image file at `url`, best first.
    public func classify(contentsOf url: URL, topK: Int = 5) throws(ImageClassifierError) -> [Classification] {
        try Self.check(topK: topK)
        return try classify(prepare(.file(url)), topK: topK)
    }

    /// The `topK` most likely classes of the encoded image `data` (JPEG or PNG), best first.
    public func classify(_ data: Data, topK: Int = 5) throws(ImageClassifierError) -> [Classification] {
        try Self.check(topK: topK)
        return try classify(prepare(.data(data)), topK: topK)
    }

    /// The `topK` most likely classes of a decoded image, best first.
    public func classify(_ image: RGBImage, topK: Int = 5) throws(ImageClassifierError) -> [Classification] {
        try Self.check(topK: topK)
        return try classify(prepare(.image(image)), topK: topK)
    }

    /// The `topK` most likely classes of a prepared image, best first.
    public func classify(_ image: PreparedImage, topK: Int = 5) throws(ImageClassifierError) -> [Classification] {
        try classify([image], topK: topK)[0]
    }

    /// Classifies many inputs, in batches of ``Options/batchSize``: one result per input, in
    /// order, with that input's error in place of its labels if it could not be read.
    ///
    /// - Throws: ``ImageClassifierError/invalidArgument(_:)`` when `topK` is less than 1 (nothing is read).
    public func classify(_ inputs: [ImageInput], topK: Int = 5)
        throws(ImageClassifierError) -> [Result<[Classification], ImageClassifierError>] {
        try Self.check(topK: topK)
        var results: [Result<[Classification], ImageClassifierError>] = []
        results.reserveCapacity(inputs.count)
        var start = 0
        while start < inputs.count {
            let chunk = inputs[start..<min(inputs.count, start + options.batchSize)]
            var prepared: [PreparedImage] = []
            var outcome: [Result<Int, ImageClassifierError>] = []   // index into `prepared`
            for input in chunk {
                do throws(ImageClassifierError) {
                    prepared.append(try prepare(input))
                    outcome.append(.success(prepared.count - 1))
                } catch {
                    outcome.append(.failure(error))
                }
            }
            let labelled = try classify(prepared, topK: topK)
            results += outcome.map { $0.map { labelled[$0] } }
            start += chunk.count
        }
        return results
    }

    /// Classifies prepared images, in batches of ``Options/batchSize``; one result per image, in
    /// order.
    ///
    /// - Throws: ``ImageClassifierError/invalidArgument(_:)`` when `topK` is less than 1.
    public func classify(_ images: [PreparedImage], topK: Int = 5) throws(ImageClassifierError) -> [[Classification]] {
        try Self.check(topK: topK)
        var results: [[Classification]] = []
        results.reserveCapacity(images.count)
        let labels = configuration.labels, perImage = model.inputCount, labelCount = model.labelCount
        var start = 0
        while start < images.count {
            let batch = images[start..<min(images.count, start + options.batchSize)]
            var pixels = [Float](repeating: 0, count: batch.count * perImage)
            pixels.withUnsafeMutableBufferPointer { buffer in
                for (offset, image) in batch.enumerated() {
                    precondition(image.pixelValues.count == perImage,
                                 "\(image.name): prepared for a different model")
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[(offset * perImage)..<((offset + 1) * perImage)])
                        .update(fromContentsOf: image.pixelValues)
                }
            }
            let logits = self.logits(pixelValues: pixels, batch: batch.count)
            logits.withUnsafeBufferPointer { buffer in
                for offset in 0..<batch.count {
                    let row = UnsafeBufferPointer(rebasing: buffer[(offset * labelCount)..<((offset + 1) * labelCount)])
                    results.append(scoreFunction.classifications(logits: row, labels: labels, topK: topK))
                }
            }
            start += batch.count
        }
        return results
    }

    /// The rule for `topK` (and vit-classify's `--top-k`): at least 1.
    static func check(topK: Int) throws(ImageClassifierError) {
        guard topK >= 1 else {
            throw .invalidArgument("topK must be at least 1 (got \(topK)); values above the label count are capped at it")
        }
    }

    /// The raw logits of `batch` preprocessed images (`batch × labels.count`, row by row), in
    /// passes of at most ``Options/batchSize`` images.
    public func logits(pixelValues: [Float], batch: Int) -> [Float] {
        precondition(pixelValues.count == batch * model.inputCount, "pixelValues must hold batch × inputCount floats")
        var logits = [Float](repeating: 0, count: batch * model.labelCount)
        let perImage = model.inputCount, labelCount = model.labelCount
        pixelValues.withUnsafeBufferPointer { pixels in
            logits.withUnsafeMutableBufferPointer { output in
                states.withState(batch: min(batch, options.batchSize)) { state in
                    var start = 0
                    while start < batch {
                        let count = min(state.batchCapacity, batch - start)
                        model.logits(pixels: UnsafeBufferPointer(rebasing: pixels[(start * perImage)...]), batch: count,
                                     into: UnsafeMutableBufferPointer(rebasing: output[(start * labelCount)...]),
                                     state: state)
                        start += count
                    }
                }
            }
        }
        return logits
    }
}
