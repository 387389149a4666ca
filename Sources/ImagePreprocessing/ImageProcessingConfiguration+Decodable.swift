import StrictJSON

/// A `preprocessor_config.json` read as transformers' ViT and DeiT image processors read it.
extension ImageProcessingConfiguration: Decodable {
    /// The keys SwiftViT reads, named as in transformers; every other key is ignored.
    enum CodingKeys: String, CodingKey {
        case imageProcessorType = "image_processor_type"
        case featureExtractorType = "feature_extractor_type"
        case doPad = "do_pad"
        case doResize = "do_resize"
        case size
        case resample
        case doCenterCrop = "do_center_crop"
        case cropSize = "crop_size"
        case doRescale = "do_rescale"
        case rescaleFactor = "rescale_factor"
        case doNormalize = "do_normalize"
        case imageMean = "image_mean"
        case imageStd = "image_std"
        case doConvertRGB = "do_convert_rgb"
    }

    /// Decodes a `preprocessor_config.json` and validates it.
    ///
    /// An absent field takes the class default of the processor family that `image_processor_type` (else
    /// `feature_extractor_type`) names. A `null` flag (`do_resize`, …) turns its step off, as in
    /// transformers; any other `null` field takes the class default, as transformers does for `size`,
    /// `crop_size`, `image_mean` and `image_std` (it refuses a `null` `resample` or `rescale_factor`).
    /// Flags must be `true` or `false`; `resample` and every size must be JSON integers (`224`, not
    /// `224.0`), which transformers' resize refuses too; `rescale_factor`, `image_mean` and `image_std`
    /// take any number. `size` may be an
    /// integer (a square: ViT and DeiT set `default_to_square`), `[height, width]`, or a dictionary with
    /// one of the key sets the Pillow-backend resize understands; `crop_size` an integer,
    /// `[height, width]` or `{height, width}`; `image_mean`/`image_std` one number or three.
    ///
    /// - Throws: ``ImageProcessingConfigurationError`` (naming the decoder's `jsonSource`) for a processor
    ///   type other than ViT or DeiT, `do_pad`, or values that fail validation; the decoder's error for
    ///   values of the wrong type.
    public init(from decoder: any Decoder) throws {
        do {
            try self.init(decoding: decoder)
        } catch let error as ImageProcessingConfigurationError {
            throw error.naming(decoder.jsonSource)
        }
    }

    private init(decoding decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        let processorType = try fields.decodeIfPresent(String.self, forKey: .imageProcessorType)
        let extractorType = try fields.decodeIfPresent(String.self, forKey: .featureExtractorType)
        let type = processorType ?? extractorType
        let family = try Self.family(ofProcessorType: type)
        let defaults = Self.defaults(for: family)
        if try fields.decodeIfPresent(Bool.self, forKey: .doPad) == true {
            throw ImageProcessingConfigurationError.unsupported(
                source: nil, "do_pad (padding a batch to one size) is not supported")
        }
        let cropSize = try fields.decodeIfPresent(SizeField.self, forKey: .cropSize).map { field in
            guard case .exact(let size) = field.target else {
                throw ImageProcessingConfigurationError.invalidValue(field: "crop_size", "must have height and width")
            }
            return size
        }
        try self.init(
            imageProcessorType: type, family: family,
            doResize: try Self.flag(fields, .doResize, default: defaults.doResize),
            size: try fields.decodeIfPresent(SizeField.self, forKey: .size)?.target ?? defaults.size,
            resample: try fields.decodeIfPresent(Int.self, forKey: .resample) ?? defaults.resample,
            doCenterCrop: try Self.flag(fields, .doCenterCrop, default: defaults.doCenterCrop),
            cropSize: cropSize ?? defaults.cropSize,
            doRescale: try Self.flag(fields, .doRescale, default: defaults.doRescale),
            rescaleFactor: try fields.decodeIfPresent(Double.self, forKey: .rescaleFactor) ?? defaults.rescaleFactor,
            doNormalize: try Self.flag(fields, .doNormalize, default: defaults.doNormalize),
            imageMean: try fields.decodeIfPresent(ChannelValues.self, forKey: .imageMean)?.values ?? defaults.imageMean,
            imageStd: try fields.decodeIfPresent(ChannelValues.self, forKey: .imageStd)?.values ?? defaults.imageStd,
            doConvertRGB: try fields.decodeIfPresent(Bool.self, forKey: .doConvertRGB))
    }

    /// A step's flag: absent, it takes the class default; `null` turns the step off, as in transformers,
    /// which tests the flag for truth (Python's `None` is false).
    private static func flag(_ fields: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, default defaultValue: Bool)
        throws -> Bool {
        guard fields.contains(key) else { return defaultValue }
        return try fields.decodeIfPresent(Bool.self, forKey: key) ?? false
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
}

/// `size` or `crop_size` as the file writes it.
private struct SizeField: JSONExpressible {
    static let expectedJSON = "an integer, a [height, width] list or a dictionary"

    /// What the field asks for.
    let target: ImageProcessingConfiguration.ResizeTarget

    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            guard list.count == 2 else { throw decoder.invalidValue("as a list must be [height, width]") }
            target = .exact(.init(height: try list.decode(Int.self), width: try list.decode(Int.self)))
        } else if let dictionary = try? decoder.container(keyedBy: JSONCodingKey.self) {
            target = try Self.target(dictionary, decoder)
        } else {
            let side = try decoder.singleValueContainer().decode(Int.self)
            target = .exact(.init(height: side, width: side))
        }
    }

    /// A dictionary's target; its `null` entries count as absent.
    private static func target(_ dictionary: KeyedDecodingContainer<JSONCodingKey>, _ decoder: any Decoder)
        throws -> ImageProcessingConfiguration.ResizeTarget {
        var entries: [String: Int] = [:]
        for key in dictionary.allKeys {
            guard try !dictionary.decodeNil(forKey: key) else { continue }
            entries[key.stringValue] = try dictionary.decode(Int.self, forKey: key)
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
            throw decoder.invalidValue("has keys \(entries.keys.sorted()); the Pillow-backend resize needs "
                                       + "{height, width}, {shortest_edge}, {shortest_edge, longest_edge} or "
                                       + "{max_height, max_width}")
        }
    }
}

/// `image_mean` or `image_std`: one number for every channel, or one per RGB channel.
private struct ChannelValues: JSONExpressible {
    static let expectedJSON = "a number or a list of 3 numbers"

    /// One value per channel.
    let values: [Double]

    init(from decoder: any Decoder) throws {
        guard var list = try? decoder.unkeyedContainer() else {
            let value = try decoder.singleValueContainer().decode(Double.self)
            values = [value, value, value]
            return
        }
        guard list.count == 3 else { throw decoder.invalidValue("must be a number or a list of 3 numbers") }
        var values: [Double] = []
        while !list.isAtEnd { values.append(try list.decode(Double.self)) }
        self.values = values
    }
}
