import Foundation

/// The preprocessing recipe of a Hugging Face image processor: the fields of a `preprocessor_config.json`
/// that transformers' `ViTImageProcessor` and `DeiTImageProcessor` (and their `…Pil` twins) use.
///
/// A field that is missing from the file, or `null` there, takes the processor's class default, exactly as
/// transformers does: the `ViTImageProcessor` defaults, or the `DeiTImageProcessor` ones when
/// `image_processor_type` (or the older `feature_extractor_type`) names a DeiT processor. The values are
/// validated when the configuration is made, so every configuration describes a pipeline that can run.
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
    /// - Throws: ``ImageProcessingConfigurationError/unreadableFile(path:reason:)`` if the file cannot be read,
    ///   otherwise the errors of ``init(jsonData:source:)`` naming this file.
    public init(contentsOf url: URL) throws(ImageProcessingConfigurationError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        try self.init(jsonData: data, source: url.path)
    }

    /// Parses the contents of a `preprocessor_config.json`.
    ///
    /// - Parameters:
    ///   - jsonData: The file's bytes.
    ///   - source: A name for the data used in error messages, such as its path.
    /// - Throws: ``ImageProcessingConfigurationError`` if the data is not a JSON object, a field has the wrong
    ///   type, the processor type is not a ViT or DeiT one, or the values fail validation.
    public init(jsonData: Data, source: String? = nil) throws(ImageProcessingConfigurationError) {
        do throws(ImageProcessingConfigurationError) {
            try self.init(parsing: jsonData)
        } catch {
            throw error.naming(source)
        }
    }

    private init(parsing jsonData: Data) throws(ImageProcessingConfigurationError) {
        let root: [String: ConfigurationValue]
        do {
            root = try JSONDecoder().decode([String: ConfigurationValue].self, from: jsonData)
        } catch {
            throw .malformedJSON(source: nil, reason: "\(error)")
        }
        let fields = ConfigurationFields(root)

        let processorType = try fields.string("image_processor_type")
        let extractorType = try fields.string("feature_extractor_type")
        let type = processorType ?? extractorType
        let family = try Self.family(ofProcessorType: type)
        let defaults = Self.defaults(for: family)

        if try fields.bool("do_pad") == true {
            throw .unsupported(source: nil, "do_pad (padding a batch to one size) is not supported")
        }
        let doResizeField = try fields.bool("do_resize")
        let doResize = doResizeField ?? defaults.doResize
        let sizeField = try fields.resizeTarget("size")
        let size = sizeField ?? defaults.size
        let resampleField = try fields.integer("resample")
        let resample = resampleField ?? defaults.resample
        let doCenterCropField = try fields.bool("do_center_crop")
        let doCenterCrop = doCenterCropField ?? defaults.doCenterCrop
        let cropSizeField = try fields.cropSize("crop_size")
        let cropSize = cropSizeField ?? defaults.cropSize
        let doRescaleField = try fields.bool("do_rescale")
        let doRescale = doRescaleField ?? defaults.doRescale
        let rescaleFactorField = try fields.number("rescale_factor")
        let rescaleFactor = rescaleFactorField ?? defaults.rescaleFactor
        let doNormalizeField = try fields.bool("do_normalize")
        let doNormalize = doNormalizeField ?? defaults.doNormalize
        let imageMeanField = try fields.channelValues("image_mean")
        let imageMean = imageMeanField ?? defaults.imageMean
        let imageStdField = try fields.channelValues("image_std")
        let imageStd = imageStdField ?? defaults.imageStd
        let doConvertRGB = try fields.bool("do_convert_rgb")

        try self.init(imageProcessorType: type, family: family, doResize: doResize, size: size,
                      resample: resample, doCenterCrop: doCenterCrop, cropSize: cropSize, doRescale: doRescale,
                      rescaleFactor: rescaleFactor, doNormalize: doNormalize, imageMean: imageMean,
                      imageStd: imageStd, doConvertRGB: doConvertRGB)
    }

    /// Maps a processor class name to its family; other processors preprocess differently (crop
    /// percentages, padding, other resizes), so claiming to reproduce them would be wrong.
    private static func family(ofProcessorType type: String?) throws(ImageProcessingConfigurationError)
        -> ProcessorFamily {
        guard let type else { return .vit }
        let suffixes = ["ImageProcessor", "ImageProcessorFast", "ImageProcessorPil", "FeatureExtractor"]
        for suffix in suffixes {
            if type == "ViT" + suffix { return .vit }
            if type == "DeiT" + suffix { return .deit }
        }
        throw .unsupported(source: nil, "image processor type \(type) (only ViT and DeiT processors are supported)")
    }

    private static func validate(_ target: ResizeTarget) throws(ImageProcessingConfigurationError) {
        switch target {
        case .exact(let size), .fitting(let size):
            try validate(size, field: "size")
        case .shortestEdge(let shortest, let longest):
            guard shortest > 0 else { throw .invalidValue(field: "size", "shortest_edge must be positive") }
            if let longest {
                guard longest > 0 else { throw .invalidValue(field: "size", "longest_edge must be positive") }
            }
        }
    }

    private static func validate(_ size: PixelSize, field: String) throws(ImageProcessingConfigurationError) {
        guard size.height > 0, size.width > 0 else {
            throw .invalidValue(field: field, "height and width must be positive")
        }
    }
}

/// An error reading or validating a `preprocessor_config.json`.
public enum ImageProcessingConfigurationError: Error, Sendable, Equatable, CustomStringConvertible,
    LocalizedError {
    /// The file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The data is not a JSON object.
    case malformedJSON(source: String?, reason: String)
    /// A field has a type or value transformers would reject.
    case invalidField(source: String?, field: String, reason: String)
    /// The configuration asks for something this implementation does not do.
    case unsupported(source: String?, String)

    /// A human-readable message naming the file (when known) and the problem.
    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read image processor configuration \(path): \(reason)"
        case .malformedJSON(let source, let reason):
            return "\(Self.subject(source)) is not a JSON object: \(reason)"
        case .invalidField(let source, let field, let reason):
            return "\(Self.subject(source)): field \"\(field)\" \(reason)"
        case .unsupported(let source, let what):
            return "\(Self.subject(source)) asks for something unsupported: \(what)"
        }
    }

    /// The same message as ``description``, for `LocalizedError` consumers.
    public var errorDescription: String? { description }

    static func missingField(_ field: String, neededBy step: String) -> Self {
        .invalidField(source: nil, field: field, reason: "must be given when \(step) is true")
    }

    static func invalidValue(field: String, _ reason: String) -> Self {
        .invalidField(source: nil, field: field, reason: reason)
    }

    /// The same error with `source` filled in where the error does not name a file yet.
    func naming(_ source: String?) -> Self {
        guard let source else { return self }
        switch self {
        case .unreadableFile: return self
        case .malformedJSON(nil, let reason): return .malformedJSON(source: source, reason: reason)
        case .invalidField(nil, let field, let reason):
            return .invalidField(source: source, field: field, reason: reason)
        case .unsupported(nil, let what): return .unsupported(source: source, what)
        default: return self
        }
    }

    private static func subject(_ source: String?) -> String {
        source.map { "image processor configuration \($0)" } ?? "image processor configuration"
    }
}

/// A JSON value, decoded without losing the distinction between integers, other numbers and booleans.
private enum ConfigurationValue: Decodable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([ConfigurationValue])
    case object([String: ConfigurationValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ConfigurationValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ConfigurationValue].self))
        }
    }
}

/// Typed access to the top-level fields; `null` reads as absent, as in transformers.
private struct ConfigurationFields {
    let values: [String: ConfigurationValue]

    init(_ values: [String: ConfigurationValue]) {
        self.values = values
    }

    private func value(_ key: String) -> ConfigurationValue? {
        guard let value = values[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    private func invalid(_ key: String, _ reason: String) -> ImageProcessingConfigurationError {
        .invalidField(source: nil, field: key, reason: reason)
    }

    func string(_ key: String) throws(ImageProcessingConfigurationError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let string) = value else { throw invalid(key, "must be a string") }
        return string
    }

    func bool(_ key: String) throws(ImageProcessingConfigurationError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let bool) = value else { throw invalid(key, "must be true or false") }
        return bool
    }

    func integer(_ key: String) throws(ImageProcessingConfigurationError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let integer = Self.integer(value) else { throw invalid(key, "must be an integer") }
        return integer
    }

    func number(_ key: String) throws(ImageProcessingConfigurationError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = Self.number(value) else { throw invalid(key, "must be a number") }
        return number
    }

    /// `image_mean` / `image_std`: a number for all channels, or a list of one per channel.
    func channelValues(_ key: String) throws(ImageProcessingConfigurationError) -> [Double]? {
        guard let value = value(key) else { return nil }
        if let number = Self.number(value) { return [number, number, number] }
        guard case .array(let items) = value else { throw invalid(key, "must be a number or a list of 3 numbers") }
        let numbers = items.compactMap(Self.number)
        guard numbers.count == items.count, numbers.count == 3 else {
            throw invalid(key, "must be a number or a list of 3 numbers")
        }
        return numbers
    }

    /// `size`: an integer means a square (ViT and DeiT set `default_to_square`), a list is `[height, width]`,
    /// a dictionary must have exactly one of the key sets the Pillow-backend resize understands.
    func resizeTarget(_ key: String) throws(ImageProcessingConfigurationError)
        -> ImageProcessingConfiguration.ResizeTarget? {
        guard let value = value(key) else { return nil }
        if let side = Self.integer(value) { return .exact(.init(height: side, width: side)) }
        if let pair = try heightWidthList(key, value) { return .exact(pair) }
        guard case .object(let dictionary) = value else {
            throw invalid(key, "must be an integer, a [height, width] list or a dictionary")
        }
        var entries: [String: Int] = [:]
        for (name, entry) in dictionary {
            if case .null = entry { continue }
            guard let integer = Self.integer(entry) else { throw invalid(key, "entry \"\(name)\" must be an integer") }
            entries[name] = integer
        }
        switch Set(entries.keys) {
        case ["height", "width"]:
            return .exact(.init(height: entries["height"]!, width: entries["width"]!))
        case ["shortest_edge"]:
            return .shortestEdge(entries["shortest_edge"]!, longestEdge: nil)
        case ["shortest_edge", "longest_edge"]:
            return .shortestEdge(entries["shortest_edge"]!, longestEdge: entries["longest_edge"]!)
        case ["max_height", "max_width"]:
            return .fitting(.init(height: entries["max_height"]!, width: entries["max_width"]!))
        default:
            throw invalid(key, "has keys \(entries.keys.sorted()); the Pillow-backend resize needs {height, width}, "
                               + "{shortest_edge}, {shortest_edge, longest_edge} or {max_height, max_width}")
        }
    }

    /// `crop_size`: an integer (a square), a `[height, width]` list or `{height, width}`.
    func cropSize(_ key: String) throws(ImageProcessingConfigurationError)
        -> ImageProcessingConfiguration.PixelSize? {
        guard let target = try resizeTarget(key) else { return nil }
        guard case .exact(let size) = target else { throw invalid(key, "must have height and width") }
        return size
    }

    private func heightWidthList(_ key: String, _ value: ConfigurationValue)
        throws(ImageProcessingConfigurationError) -> ImageProcessingConfiguration.PixelSize? {
        guard case .array(let items) = value else { return nil }
        let integers = items.compactMap(Self.integer)
        guard integers.count == 2, items.count == 2 else { throw invalid(key, "as a list must be [height, width]") }
        return .init(height: integers[0], width: integers[1])
    }

    private static func integer(_ value: ConfigurationValue) -> Int? {
        switch value {
        case .integer(let integer): return integer
        // A JSON decoder may hand back 224 as a Double; only whole numbers count as integers.
        case .number(let number) where number.rounded() == number && abs(number) < 1e15: return Int(number)
        default: return nil
        }
    }

    private static func number(_ value: ConfigurationValue) -> Double? {
        switch value {
        case .integer(let integer): return Double(integer)
        case .number(let number): return number
        default: return nil
        }
    }
}
