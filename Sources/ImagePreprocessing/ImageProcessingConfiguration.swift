import Foundation
import StrictJSON

/// The preprocessing recipe of a Hugging Face image processor: the fields of a `preprocessor_config.json`
/// that transformers' `ViTImageProcessor` and `DeiTImageProcessor` (and their `…Pil` twins) use.
///
/// A field that is missing from the file takes the processor's class default: the `ViTImageProcessor`
/// defaults, or the `DeiTImageProcessor` ones when `image_processor_type` (or the older
/// `feature_extractor_type`) names a DeiT processor; ``init(from:)`` says what `null` means. The values
/// are validated when the configuration is made, so every configuration describes a pipeline that can run.
public struct ImageProcessingConfiguration: Sendable, Equatable {
    /// The processor families whose defaults and pipeline this configuration can describe.
    public enum ProcessorFamily: String, Sendable, Equatable {
        /// `ViTImageProcessor` (also `…Fast`, `…Pil`, `ViTFeatureExtractor`): resize to 224×224, bilinear,
        /// mean = std = 0.5.
        case vit
        /// `DeiTImageProcessor` (also `…Fast`, `…Pil`, `DeiTFeatureExtractor`): resize to 256×256, bicubic,
        /// center crop 224×224, mean = std = 0.5.
        case deit
    }

    /// A size in pixels, height first like transformers' size dictionaries.
    public struct PixelSize: Sendable, Equatable {
        /// Rows.
        public var height: Int
        /// Columns.
        public var width: Int

        /// Creates a size of `height` rows and `width` columns.
        public init(height: Int, width: Int) {
            self.height = height
            self.width = width
        }
    }

    /// What the `size` field asks the resize step for.
    public enum ResizeTarget: Sendable, Equatable {
        /// `{"height": h, "width": w}`, an integer (a square), or a `[h, w]` list: exactly this size.
        case exact(PixelSize)
        /// `{"shortest_edge": s}`: the shorter side becomes `s`, the longer one keeps the aspect ratio
        /// (truncated). With `"longest_edge"` too, the longer side is capped at that value.
        case shortestEdge(Int, longestEdge: Int?)
        /// `{"max_height": h, "max_width": w}`: the largest size with the image's aspect ratio that fits.
        case fitting(PixelSize)
    }

    /// `image_processor_type` (or `feature_extractor_type`) as written in the file, if any.
    public let imageProcessorType: String?
    /// The family whose defaults filled the missing fields.
    public let family: ProcessorFamily
    /// `do_resize`: whether to resize.
    public let doResize: Bool
    /// `size`: the resize target (`nil` only when `doResize` is false and the file gave no size).
    public let size: ResizeTarget?
    /// `resample`: Pillow's resampling filter code (0 nearest, 1 Lanczos, 2 bilinear, 3 bicubic, 4 box,
    /// 5 Hamming).
    public let resample: Int
    /// `do_center_crop`: whether to center-crop after resizing.
    public let doCenterCrop: Bool
    /// `crop_size`: the center crop's size (`nil` only when `doCenterCrop` is false and the file gave none).
    public let cropSize: PixelSize?
    /// `do_rescale`: whether to multiply the 8-bit values by `rescaleFactor`.
    public let doRescale: Bool
    /// `rescale_factor`, default 1/255.
    public let rescaleFactor: Double
    /// `do_normalize`: whether to subtract `imageMean` and divide by `imageStd`, per channel.
    public let doNormalize: Bool
    /// `image_mean`, one value per RGB channel (a single number in the file is used for all three).
    public let imageMean: [Double]
    /// `image_std`, one value per RGB channel (a single number in the file is used for all three).
    public let imageStd: [Double]
    /// `do_convert_rgb` as written (`nil` when absent). Decoded images are always RGB already, so it changes
    /// nothing; it is kept so a configuration round-trips what the file says.
    public let doConvertRGB: Bool?

    /// Creates a configuration from its fields, validating them the way transformers does before
    /// preprocessing.
    ///
    /// - Throws: ``ImageProcessingConfigurationError`` when a step is enabled without what it needs (a resize
    ///   without a size, a crop without a crop size), a size is not positive, `resample` is not 0–5, or a mean
    ///   or standard deviation does not have three values.
    public init(imageProcessorType: String? = nil, family: ProcessorFamily = .vit, doResize: Bool = true,
                size: ResizeTarget? = .exact(PixelSize(height: 224, width: 224)), resample: Int = 2,
                doCenterCrop: Bool = false, cropSize: PixelSize? = nil, doRescale: Bool = true,
                rescaleFactor: Double = 1.0 / 255.0, doNormalize: Bool = true,
                imageMean: [Double] = [0.5, 0.5, 0.5], imageStd: [Double] = [0.5, 0.5, 0.5],
                doConvertRGB: Bool? = nil) throws(ImageProcessingConfigurationError) {
        if doResize, size == nil { throw .missingField("size", neededBy: "do_resize") }
        if doCenterCrop, cropSize == nil { throw .missingField("crop_size", neededBy: "do_center_crop") }
        guard (0...5).contains(resample) else { throw .invalidValue(field: "resample", "\(resample) is not 0–5") }
        if let size { try Self.validate(size) }
        if let cropSize { try Self.validate(cropSize, field: "crop_size") }
        guard imageMean.count == 3 else { throw .invalidValue(field: "image_mean", "needs 1 or 3 values") }
        guard imageStd.count == 3 else { throw .invalidValue(field: "image_std", "needs 1 or 3 values") }
        guard rescaleFactor.isFinite else { throw .invalidValue(field: "rescale_factor", "is not finite") }
        self.imageProcessorType = imageProcessorType
        self.family = family
        self.doResize = doResize
        self.size = size
        self.resample = resample
        self.doCenterCrop = doCenterCrop
        self.cropSize = cropSize
        self.doRescale = doRescale
        self.rescaleFactor = rescaleFactor
        self.doNormalize = doNormalize
        self.imageMean = imageMean
        self.imageStd = imageStd
        self.doConvertRGB = doConvertRGB
    }

    /// The class defaults of a processor family, as transformers 5.24 defines them.
    public static func defaults(for family: ProcessorFamily) -> ImageProcessingConfiguration {
        switch family {
        case .vit:
            // Every argument is a valid constant, so this cannot throw.
            return try! ImageProcessingConfiguration(family: .vit)
        case .deit:
            return try! ImageProcessingConfiguration(
                family: .deit, size: .exact(PixelSize(height: 256, width: 256)), resample: 3,
                doCenterCrop: true, cropSize: PixelSize(height: 224, width: 224))
        }
    }

    /// The `preprocessor_config.json` of `google/vit-base-patch16-224` on the Hugging Face Hub: resize to
    /// 224×224 with bilinear filtering, rescale by 1/255, normalize with mean = std = 0.5.
    public static let vitBasePatch16_224: ImageProcessingConfiguration = {
        // The Hub file, verbatim (its keys predate `image_processor_type`).
        let json = """
            {
              "do_normalize": true,
              "do_resize": true,
              "feature_extractor_type": "ViTFeatureExtractor",
              "image_mean": [0.5, 0.5, 0.5],
              "image_std": [0.5, 0.5, 0.5],
              "resample": 2,
              "size": 224
            }
            """
        return try! ImageProcessingConfiguration(jsonData: Data(json.utf8))
    }()

    /// Reads and parses a `preprocessor_config.json` file.
    ///
    /// - Throws: ``ImageProcessingConfigurationError/unreadableFile(path:reason:)`` if the file cannot be read
    ///   (or is far larger than any configuration), otherwise the errors of ``init(jsonData:source:)`` naming
    ///   this file.
    public init(contentsOf url: URL) throws(ImageProcessingConfigurationError) {
        self = try JSONValueDecoder(dialect: .python, source: url.path).decode(
            Self.self, contentsOf: url,
            unreadable: { ImageProcessingConfigurationError.unreadableFile(path: url.path, reason: $0.description) },
            failure: { ImageProcessingConfigurationError($0).naming(url.path) })
    }

    /// Parses the contents of a `preprocessor_config.json` as transformers does: with Python's `json`
    /// (a repeated key keeps its last value, `NaN` and `Infinity` are numbers), then as ``init(from:)``
    /// describes.
    ///
    /// - Parameters:
    ///   - jsonData: The file's bytes.
    ///   - source: A name for the data used in error messages, such as its path.
    /// - Throws: ``ImageProcessingConfigurationError`` if the data is not a JSON object, a field has the wrong
    ///   type, the processor type is not a ViT or DeiT one, or the values fail validation.
    public init(jsonData: Data, source: String? = nil) throws(ImageProcessingConfigurationError) {
        self = try JSONValueDecoder(dialect: .python, source: source).decode(
            Self.self, from: Array(jsonData), failure: { ImageProcessingConfigurationError($0).naming(source) })
    }

    /// The largest side, in pixels, a configured size may have. transformers sets no bound, but no ViT
    /// checkpoint uses more than a few thousand pixels, and without one a size such as 2⁶² overflows the
    /// resize arithmetic (found by fuzzing) or asks for gigabytes of output.
    public static let largestSide = 16_384

    private static func validate(_ target: ResizeTarget) throws(ImageProcessingConfigurationError) {
        switch target {
        case .exact(let size), .fitting(let size):
            try validate(size, field: "size")
        case .shortestEdge(let shortest, let longest):
            try validate(side: shortest, name: "shortest_edge", field: "size")
            if let longest { try validate(side: longest, name: "longest_edge", field: "size") }
        }
    }

    private static func validate(_ size: PixelSize, field: String) throws(ImageProcessingConfigurationError) {
        try validate(side: size.height, name: "height", field: field)
        try validate(side: size.width, name: "width", field: field)
    }

    private static func validate(side: Int, name: String, field: String) throws(ImageProcessingConfigurationError) {
        guard side > 0 else { throw .invalidValue(field: field, "\(name) must be positive") }
        guard side <= largestSide else {
            throw .invalidValue(field: field, "\(name) \(side) is larger than \(largestSide) pixels")
        }
    }
}
