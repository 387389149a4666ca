import Foundation
import Testing
import Tensors
@testable import VisionTransformer
import TestSupport

@Suite struct ViTConfigurationTests {
    private func parse(_ json: String) throws(ConfigurationError) -> ViTConfiguration {
        try ViTConfiguration(jsonData: Data(json.utf8), path: "config.json")
    }

    @Test func googleViTBasePatch16() throws {
        let url = WeightFixtures.config("google-vit-base-patch16-224")
        let configuration = try ViTConfiguration(contentsOf: url)
        #expect(configuration == ViTConfiguration(labels: configuration.labels))   // every other field is the default
        #expect(configuration.hiddenSize == 768 && configuration.numHiddenLayers == 12 && configuration.numAttentionHeads == 12)
        #expect(configuration.intermediateSize == 3072 && configuration.hiddenAct == .gelu && configuration.layerNormEps == 1e-12)
        #expect(configuration.imageSize == 224 && configuration.patchSize == 16 && configuration.numChannels == 3)
        #expect(configuration.qkvBias && configuration.problemType == nil)
        #expect(configuration.numLabels == 1000)
        #expect(configuration.labels[0] == "tench, Tinca tinca")
        #expect(configuration.labels[281] == "tabby, tabby cat")
        #expect(configuration.labels[285] == "Egyptian cat")
        #expect(configuration.labels[999] == "toilet tissue, toilet paper, bathroom tissue")
        // Duplicate class names are fine (ImageNet has two "crane"s).
        #expect(configuration.labels[134] == "crane" && configuration.labels[517] == "crane")
        #expect(configuration.sequenceLength == 197 && configuration.headSize == 64)
    }

    @Test func deitTinyIsAPlainViT() throws {
        let configuration = try ViTConfiguration(contentsOf: WeightFixtures.config("facebook-deit-tiny-patch16-224"))
        #expect(configuration.hiddenSize == 192 && configuration.numAttentionHeads == 3 && configuration.intermediateSize == 768)
        #expect(configuration.numLabels == 1000)
    }

    @Test func distilledDeiTIsRefusedByName() {
        let url = WeightFixtures.config("facebook-deit-base-distilled-patch16-224")
        do {
            _ = try ViTConfiguration(contentsOf: url)
            Issue.record("DeiT accepted")
        } catch {
            guard case .unsupportedArchitecture(let file, let architecture, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(file == url.path)
            #expect(architecture == "DeiTForImageClassificationWithTeacher")
            #expect(reason.contains("distillation token"))
            #expect(error.description.contains("unsupported architecture DeiTForImageClassificationWithTeacher"))
        }
        // model_type alone also decides.
        expectError(ConfigurationError.unsupportedModelType(file: "config.json", modelType: "deit")) {
            _ = try parse(#"{"model_type": "deit"}"#)
        }
        expectError(ConfigurationError.unsupportedArchitecture(
            file: "config.json", architecture: "ViTModel",
            reason: "it has no image-classification head; only ViTForImageClassification is implemented")) {
            _ = try parse(#"{"architectures": ["ViTModel"], "model_type": "vit"}"#)
        }
    }

    @Test func savePretrainedConfigFromTransformers5() throws {
        // Written by transformers 5.24 (dtype, pooler fields, label2id…): extra fields are ignored.
        let configuration = try ViTConfiguration(contentsOf: WeightFixtures.tinyViT("f16").appendingPathComponent("config.json"))
        #expect(configuration == ViTConfiguration(hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64,
                                                  imageSize: 32, patchSize: 8, labels: ["cat", "dog", "bird", "fish", "frog"]))
    }

    @Test func transformersDefaults() throws {
        #expect(try parse("{}") == ViTConfiguration())
        #expect(try parse("{}").labels == ["LABEL_0", "LABEL_1"])
        #expect(try parse(#"{"num_labels": 3}"#).labels == ["LABEL_0", "LABEL_1", "LABEL_2"])
        // Explicit nulls mean "default", and Python's json writes NaN/Infinity (in fields we ignore).
        #expect(try parse(#"{"problem_type": null, "id2label": null, "initializer_range": NaN}"#) == ViTConfiguration())
        #expect(try parse(#"{"hidden_act": "gelu_new", "qkv_bias": false, "layer_norm_eps": 1e-6}"#)
            == ViTConfiguration(hiddenAct: .geluTanh, layerNormEps: 1e-6, qkvBias: false))
        #expect(try parse(#"{"image_size": [384, 384], "patch_size": [32, 32]}"#) == ViTConfiguration(imageSize: 384, patchSize: 32))
        #expect(try parse(#"{"problem_type": "multi_label_classification"}"#).problemType == "multi_label_classification")
        // Python's json keeps the last of duplicate keys; so do we for configs.
        #expect(try parse(#"{"hidden_size": 64, "hidden_size": 96, "num_attention_heads": 3}"#).hiddenSize == 96)
    }

    @Test func fieldsOfTheWrongType() {
        let cases: [(String, ConfigurationError)] = [
            (#"{"hidden_size": 768.0}"#, .wrongType(file: "config.json", field: "hidden_size", expected: "an integer", found: "768.0")),
            (#"{"hidden_size": "768"}"#, .wrongType(file: "config.json", field: "hidden_size", expected: "an integer", found: "\"768\"")),
            (#"{"qkv_bias": 1}"#, .wrongType(file: "config.json", field: "qkv_bias", expected: "true or false", found: "1")),
            (#"{"layer_norm_eps": "1e-12"}"#,
             .wrongType(file: "config.json", field: "layer_norm_eps", expected: "a number", found: "\"1e-12\"")),
            (#"{"architectures": "ViTForImageClassification"}"#,
             .wrongType(file: "config.json", field: "architectures", expected: "an array of strings", found: "\"ViTForImageClassification\"")),
            (#"{"id2label": {"0": 7}}"#, .wrongType(file: "config.json", field: "id2label.0", expected: "a string", found: "7")),
        ]
        for (json, error) in cases {
            expectError(error) { _ = try parse(json) }
        }
    }

    @Test func invalidValues() {
        let cases: [(String, ConfigurationError)] = [
            (#"{"hidden_size": 0}"#, .invalidValue(file: "config.json", field: "hidden_size", reason: "must be positive, found 0")),
            (#"{"num_hidden_layers": -1}"#, .invalidValue(file: "config.json", field: "num_hidden_layers", reason: "must be positive, found -1")),
            (#"{"hidden_size": 770}"#, .invalidValue(file: "config.json", field: "num_attention_heads", reason: "(12) must divide hidden_size (770)")),
            (#"{"image_size": 225}"#, .invalidValue(file: "config.json", field: "patch_size", reason: "(16) must divide image_size (225)")),
            (#"{"image_size": [224, 160]}"#,
             .invalidValue(file: "config.json", field: "image_size", reason: "[224, 160] is not square; only square sizes are supported")),
            (#"{"layer_norm_eps": 0}"#,
             .invalidValue(file: "config.json", field: "layer_norm_eps", reason: "must be a positive finite number, found 0.0")),
            (#"{"head_dim": 32}"#, .invalidValue(file: "config.json", field: "head_dim",
                                                 reason: "(32) × num_attention_heads (12) must equal hidden_size (768)")),
            (#"{"problem_type": "ranking"}"#, .invalidValue(
                file: "config.json", field: "problem_type",
                reason: "\"ranking\" is not one of regression, single_label_classification, multi_label_classification")),
            (#"{"problem_type": "single_label_classification", "num_labels": 1}"#, .invalidValue(
                file: "config.json", field: "problem_type", reason: "single_label_classification requires more than one label")),
            (#"{"num_labels": 0}"#, .invalidValue(file: "config.json", field: "num_labels", reason: "must be at least 1, found 0")),
        ]
        for (json, error) in cases {
            expectError(error) { _ = try parse(json) }
        }
    }

    @Test func labelsMustBeIndexedFromZeroAndMatchNumLabels() {
        let cases: [(String, String)] = [
            (#"{"id2label": {"0": "a", "2": "c"}}"#, "\"id2label\" key \"2\" is not a class index in 0..<2"),
            (#"{"id2label": {"1": "b"}}"#, "\"id2label\" key \"1\" is not a class index in 0..<1"),
            (#"{"id2label": {"zero": "a"}}"#, "\"id2label\" key \"zero\" is not a class index in 0..<1"),
            (#"{"id2label": {"-1": "a"}}"#, "\"id2label\" key \"-1\" is not a class index in 0..<1"),
            (#"{"id2label": {"0": "a", "00": "b"}}"#, "\"id2label\" lists class 0 twice"),
            (#"{"id2label": {}}"#, "\"id2label\" is empty"),
            (#"{"id2label": {"0": "a", "1": "b"}, "num_labels": 3}"#, "\"num_labels\" is 3 but \"id2label\" has 2 labels"),
        ]
        for (json, reason) in cases {
            expectError(ConfigurationError.inconsistentLabels(file: "config.json", reason: reason)) { _ = try parse(json) }
        }
        // Keys in any order.
        #expect((try? parse(#"{"id2label": {"1": "b", "0": "a"}, "num_labels": 2}"#))?.labels == ["a", "b"])
    }

    @Test func unsupportedActivation() {
        expectError(ConfigurationError.unsupportedActivation(file: "config.json", name: "mish")) { _ = try parse(#"{"hidden_act": "mish"}"#) }
        #expect(ConfigurationError.unsupportedActivation(file: "c", name: "mish").description.contains("gelu_pytorch_tanh"))
    }

    @Test func unreadableAndInvalidFiles() {
        let directory = TemporaryDirectory()
        let missing = directory.file("config.json")
        #expect(throws: ConfigurationError.self) { try ViTConfiguration(contentsOf: missing) }
        expectError(ConfigurationError.invalidJSON(file: "config.json", reason: "the top level is an array, not an object")) {
            _ = try parse("[1]")
        }
        do {
            _ = try parse(#"{"hidden_size": 768,}"#)
            Issue.record("trailing comma accepted")
        } catch {
            guard case .invalidJSON(let file, let reason) = error else { Issue.record("\(error)"); return }
            #expect(file == "config.json" && reason.contains("unexpected '}'"))
        }
    }
}

extension ViTConfigurationTests {
    /// Integer fields take integer literals only, `null` is refused where transformers' typed fields refuse
    /// `None`, and repeated keys keep their last value, as Python's `json` and transformers 5.24 read them.
    @Test func pythonNumberAndNullRules() throws {
        let cases: [(String, ConfigurationError)] = [
            (#"{"image_size": 224.0}"#, .wrongType(file: "config.json", field: "image_size",
                                                   expected: "an integer or [height, width]", found: "224.0")),
            (#"{"image_size": [224.0, 224]}"#, .wrongType(file: "config.json", field: "image_size.0",
                                                          expected: "an integer", found: "224.0")),
            (#"{"patch_size": [16, 16, 16]}"#, .invalidValue(file: "config.json", field: "patch_size",
                                                             reason: "must be an integer or [height, width]")),
            (#"{"hidden_size": 1e3}"#, .wrongType(file: "config.json", field: "hidden_size", expected: "an integer", found: "1e3")),
            (#"{"hidden_size": true}"#, .wrongType(file: "config.json", field: "hidden_size", expected: "an integer", found: "true")),
            (#"{"hidden_size": null}"#, .wrongType(file: "config.json", field: "hidden_size", expected: "an integer", found: "null")),
            (#"{"qkv_bias": null}"#, .wrongType(file: "config.json", field: "qkv_bias", expected: "true or false", found: "null")),
            (#"{"num_labels": null}"#, .wrongType(file: "config.json", field: "num_labels", expected: "an integer", found: "null")),
            (#"{"hidden_size": 12345678901234567890123}"#,
             .wrongType(file: "config.json", field: "hidden_size",
                        expected: "an integer from -9223372036854775808 to 9223372036854775807", found: "12345678901234567890123")),
            (#"{"layer_norm_eps": Infinity}"#,
             .invalidValue(file: "config.json", field: "layer_norm_eps", reason: "must be a positive finite number, found inf")),
        ]
        for (json, error) in cases {
            expectError(error) { _ = try parse(json) }
        }
        #expect(try parse(#"{"architectures": null, "model_type": null, "layer_norm_eps": 1}"#)
            == ViTConfiguration(layerNormEps: 1))
        #expect(try parse(#"{"id2label": {"0": "a", "1": "b", "0": "c"}}"#).labels == ["c", "b"])
        // Zero layers is a valid ViTConfig (embeddings, LayerNorm, head).
        #expect(try parse(#"{"num_hidden_layers": 0}"#).numHiddenLayers == 0)
    }

    /// Numbers a real configuration never has are refused with a message, never a trap or a huge allocation.
    @Test func absurdSizesAreRefused() {
        expectError(ConfigurationError.invalidValue(
            file: "config.json", field: "head_dim",
            reason: "(9223372036854775807) × num_attention_heads (12) must equal hidden_size (768)")) {
            _ = try parse(#"{"head_dim": 9223372036854775807}"#)
        }
        expectError(ConfigurationError.invalidValue(
            file: "config.json", field: "image_size",
            reason: "(4611686018427387904) has more patches of 1 pixels than can be counted")) {
            _ = try parse(#"{"image_size": 4611686018427387904, "patch_size": 1}"#)
        }
        expectError(ConfigurationError.invalidValue(
            file: "config.json", field: "num_labels",
            reason: "is 1000000000; without id2label at most 1048576 classes are accepted")) {
            _ = try parse(#"{"num_labels": 1000000000}"#)
        }
    }

    /// The type is a plain Decodable: another decoder reads it too (with that decoder's JSON rules).
    @Test func decodesWithFoundationsJSONDecoder() throws {
        let json = Data(#"{"hidden_size": 64, "num_attention_heads": 4, "id2label": {"0": "cat", "1": "dog"}}"#.utf8)
        let configuration = try JSONDecoder().decode(ViTConfiguration.self, from: json)
        #expect(configuration == ViTConfiguration(hiddenSize: 64, numAttentionHeads: 4, labels: ["cat", "dog"]))
        #expect(throws: ConfigurationError.invalidValue(file: "config.json", field: "patch_size",
                                                        reason: "(16) must divide image_size (100)")) {
            try JSONDecoder().decode(ViTConfiguration.self, from: Data(#"{"image_size": 100}"#.utf8))
        }
    }
}

/// A full-size ViT-B/16 `config.json` parses (runs when `SWIFTVIT_FULL_CHECKPOINT` names a model directory).
@Suite struct FullSizeConfigurationTests {
    static let directory = ProcessInfo.processInfo.environment["SWIFTVIT_FULL_CHECKPOINT"]

    @Test(.enabled(if: directory != nil, "set SWIFTVIT_FULL_CHECKPOINT to a ViT-B model directory"))
    func configurationParses() throws {
        let url = URL(fileURLWithPath: try #require(Self.directory)).appendingPathComponent("config.json")
        let configuration = try ViTConfiguration(contentsOf: url)
        #expect(configuration.hiddenSize == 768 && configuration.numLabels == 1000)
    }
}
