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
