import Foundation
import Testing
@testable import ImagePreprocessing

/// Parsing `preprocessor_config.json` with transformers' defaults and validation.
@Suite struct ConfigurationTests {
    typealias Configuration = ImageProcessingConfiguration

    private func parse(_ json: String) throws(ImageProcessingConfigurationError) -> Configuration {
        try Configuration(jsonData: Data(json.utf8), source: "test.json")
    }

    @Test func googleViTConfiguration() throws {
        let builtIn = Configuration.vitBasePatch16_224
        let file = try Configuration(contentsOf: Fixtures.url("configs/vit-base-patch16-224.json"))
        #expect(builtIn == file)
        #expect(builtIn.family == .vit && builtIn.imageProcessorType == "ViTFeatureExtractor")
        #expect(builtIn.doResize && builtIn.size == .exact(.init(height: 224, width: 224)) && builtIn.resample == 2)
        #expect(!builtIn.doCenterCrop && builtIn.cropSize == nil)
        #expect(builtIn.doRescale && builtIn.rescaleFactor == 1.0 / 255.0)
        #expect(builtIn.doNormalize && builtIn.imageMean == [0.5, 0.5, 0.5] && builtIn.imageStd == [0.5, 0.5, 0.5])
    }

    @Test func familyDefaults() throws {
        let empty = try parse("{}")
        #expect(empty == Configuration.defaults(for: .vit))
        let deit = try parse(#"{"image_processor_type": "DeiTImageProcessor"}"#)
        #expect(deit.family == .deit && deit.size == .exact(.init(height: 256, width: 256)) && deit.resample == 3)
        #expect(deit.doCenterCrop && deit.cropSize == .init(height: 224, width: 224))
        #expect(deit.imageMean == [0.5, 0.5, 0.5])
        // null means "use the class default", as in transformers.
        let nulls = try parse(#"{"image_processor_type": "DeiTImageProcessorPil", "resample": null, "crop_size": null}"#)
        #expect(nulls.resample == 3 && nulls.cropSize == .init(height: 224, width: 224))
        #expect(try parse(#"{"feature_extractor_type": "DeiTFeatureExtractor"}"#).family == .deit)
        #expect(try parse(#"{"image_processor_type": "ViTImageProcessorFast"}"#).family == .vit)
    }

    @Test func sizeForms() throws {
        #expect(try parse(#"{"size": 384}"#).size == .exact(.init(height: 384, width: 384)))
        #expect(try parse(#"{"size": [300, 200]}"#).size == .exact(.init(height: 300, width: 200)))
        #expect(try parse(#"{"size": {"height": 7, "width": 9}}"#).size == .exact(.init(height: 7, width: 9)))
        #expect(try parse(#"{"size": {"shortest_edge": 256}}"#).size == .shortestEdge(256, longestEdge: nil))
        #expect(try parse(#"{"size": {"shortest_edge": 8, "longest_edge": 13}}"#).size
                == .shortestEdge(8, longestEdge: 13))
        #expect(try parse(#"{"size": {"max_height": 5, "max_width": 6}}"#).size == .fitting(.init(height: 5, width: 6)))
        #expect(try parse(#"{"crop_size": 100, "do_center_crop": true}"#).cropSize == .init(height: 100, width: 100))
        #expect(try parse(#"{"image_mean": 0.25}"#).imageMean == [0.25, 0.25, 0.25])
        #expect(try parse(#"{"rescale_factor": 0.00392156862745098}"#).rescaleFactor == 1.0 / 255.0)
        #expect(try parse(#"{"do_convert_rgb": true}"#).doConvertRGB == true)
    }

    @Test func invalidConfigurationsAreTypedErrors() {
        let invalid = [
            #"{"size": {"longest_edge": 5}}"#,
            #"{"size": {"height": 5}}"#,
            #"{"size": [1, 2, 3]}"#,
            #"{"size": "big"}"#,
            #"{"size": 0}"#,
            #"{"resample": 9}"#,
            #"{"resample": 2.5}"#,
            #"{"do_resize": "yes"}"#,
            #"{"do_center_crop": true}"#,
            #"{"image_mean": [0.5, 0.5]}"#,
            #"{"image_std": "wide"}"#,
            #"{"crop_size": {"shortest_edge": 5}, "do_center_crop": true}"#,
            // Sizes past ImageProcessingConfiguration.largestSide: 2⁶² overflowed the resize arithmetic
            // (Fuzz/Regressions/preprocessor-config).
            #"{"size": {"shortest_edge": 4611686018427387904}}"#,
            #"{"size": {"shortest_edge": 4611686018427387904, "longest_edge": 4611686018427387904}}"#,
            #"{"size": {"max_height": 4611686018427387904, "max_width": 4611686018427387904}}"#,
            #"{"size": {"height": 16385, "width": 224}}"#,
            #"{"crop_size": {"height": 224, "width": 100000}, "do_center_crop": true, "size": 256}"#,
        ]
        for json in invalid {
            #expect(throws: ImageProcessingConfigurationError.self, "\(json)") { try parse(json) }
        }
        do {
            _ = try parse(#"{"resample": 9}"#)
        } catch {
            #expect(error.description.contains("test.json") && error.description.contains("resample"), "\(error)")
            #expect(error.errorDescription == error.description)
        }
        #expect(throws: Never.self) { _ = try parse(#"{"size": {"height": 16384, "width": 16384}}"#) }
        #expect(throws: ImageProcessingConfigurationError.self) { try parse("[1, 2]") }
        #expect(throws: ImageProcessingConfigurationError.self) { try parse("not json") }
        #expect(throws: ImageProcessingConfigurationError.self) {
            try parse(#"{"image_processor_type": "ConvNextImageProcessor"}"#)
        }
        #expect(throws: ImageProcessingConfigurationError.self) { try parse(#"{"do_pad": true}"#) }
    }

    @Test func unreadableConfigurationNamesTheFile() {
        let url = Fixtures.url("configs/missing.json")
        do {
            _ = try Configuration(contentsOf: url)
            Issue.record("reading a missing file succeeded")
        } catch {
            guard case .unreadableFile(let path, _) = error else {
                Issue.record("expected unreadableFile, got \(error)")
                return
            }
            #expect(path == url.path && error.description.contains(url.path))
        }
    }

    @Test(arguments: Fixtures.index.configs.keys.sorted())
    func fixtureConfigurationsParse(_ name: String) throws {
        let configuration = try Configuration(contentsOf: Fixtures.url("configs/\(name).json"))
        _ = ImageProcessor(configuration: configuration)
    }
}

extension ConfigurationTests {
    /// Sizes and `resample` take integer literals only (transformers' resize refuses `224.0`), numbers take
    /// integers, a repeated key keeps its last value, and a `null` flag turns its step off, as in transformers.
    @Test func pythonNumberAndNullRules() throws {
        let errors: [(String, ImageProcessingConfigurationError)] = [
            (#"{"size": 224.0}"#, .invalidField(source: "test.json", field: "size",
                                                reason: "must be an integer, a [height, width] list or a dictionary, found 224.0")),
            (#"{"size": {"height": 24.0, "width": 24}}"#,
             .invalidField(source: "test.json", field: "size.height", reason: "must be an integer, found 24.0")),
            (#"{"resample": 2.0}"#, .invalidField(source: "test.json", field: "resample", reason: "must be an integer, found 2.0")),
            (#"{"do_resize": 1}"#, .invalidField(source: "test.json", field: "do_resize", reason: "must be true or false, found 1")),
            (#"{"image_std": [0.5, "0.5", 0.5]}"#,
             .invalidField(source: "test.json", field: "image_std.1", reason: "must be a number, found \"0.5\"")),
            ("[1, 2]", .malformedJSON(source: "test.json", reason: "the top level is an array, not an object")),
        ]
        for (json, error) in errors {
            #expect(throws: error, "\(json)") { try parse(json) }
        }
        #expect(try parse(#"{"rescale_factor": 1, "image_mean": [1, 0, 0]}"#).rescaleFactor == 1)
        #expect(try parse(#"{"image_mean": [1, 0, 0]}"#).imageMean == [1, 0, 0])
        #expect(try parse(#"{"size": 24, "size": 30}"#).size == .exact(.init(height: 30, width: 30)))
        let nullFlags = try parse(#"{"do_resize": null, "do_rescale": null, "do_normalize": null}"#)
        #expect(!nullFlags.doResize && !nullFlags.doRescale && !nullFlags.doNormalize)
        #expect(throws: ImageProcessingConfigurationError.invalidField(source: "test.json", field: "rescale_factor",
                                                                       reason: "is not finite")) {
            try parse(#"{"rescale_factor": NaN}"#)
        }
    }

    /// The type is a plain Decodable: another decoder reads it too (with that decoder's JSON rules).
    @Test func decodesWithFoundationsJSONDecoder() throws {
        let json = Data(#"{"image_processor_type": "DeiTImageProcessor", "size": {"shortest_edge": 256}}"#.utf8)
        let configuration = try JSONDecoder().decode(Configuration.self, from: json)
        #expect(configuration.family == .deit && configuration.size == .shortestEdge(256, longestEdge: nil))
    }
}
