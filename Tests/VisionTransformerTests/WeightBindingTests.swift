import Testing
import Tensors
import VisionTransformer
import Checkpoints
import Foundation

/// Binding checkpoint tensors by name: every problem is reported at once.
@Suite struct WeightBindingTests {
    static let configuration = ViTConfiguration(hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 4,
                                                intermediateSize: 24, imageSize: 16, patchSize: 8,
                                                labels: ["a", "b", "c"])

    @Test func completeWeightsBind() throws {
        let weights = RandomViTWeights(configuration: Self.configuration)
        let model = try ViTForImageClassification(configuration: Self.configuration, weights: weights, source: "mem")
        #expect(model.layers.count == 2 && model.labelCount == 3 && model.inputCount == 3 * 16 * 16)
    }

    /// A bound model keeps nothing of a memory-mapped checkpoint: binding gives every page of the file
    /// back, and a forward pass maps none again (it would if a bias or a LayerNorm still borrowed the
    /// file's memory, or a page-cache folio shared with a released weight were mapped back).
    @Test func boundModelKeepsNoPageOfTheCheckpoint() throws {
        let directory = ModelFixtures.directory("tiny/f32")
        let configuration = try ViTConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let checkpoint = try Checkpoint.open(directory: directory)
        let model = try ViTForImageClassification(configuration: configuration, weights: checkpoint,
                                                  source: directory.path)
        let residentAfterBinding = try #require(checkpoint.residentByteCount)
        #expect(residentAfterBinding == 0)
        let pixels = Tensor(zeros: [2, model.inputCount])
        let logits = ModelFixtures.logits(model, pixels, batch: 2)
        #expect(logits.allSatisfy { $0.isFinite })
        let residentAfterPass = try #require(checkpoint.residentByteCount)
        #expect(residentAfterPass == 0)
    }

    @Test func missingUnexpectedAndMisshapenTensorsAreAllListed() throws {
        var tensors = RandomViTWeights(configuration: Self.configuration).tensors
        tensors["vit.encoder.layer.1.attention.attention.key.bias"] = nil
        tensors["vit.encoder.layer.0.intermediate.dense.weight"] = Tensor(zeros: [16, 24])
        tensors["vit.encoder.layer.2.output.dense.weight"] = Tensor(zeros: [16, 24])
        tensors["vit.pooler.dense.weight"] = Tensor(zeros: [16, 16])   // ignored, as transformers does
        let weights = RandomViTWeights(tensors: tensors)
        #expect {
            try ViTForImageClassification(configuration: Self.configuration, weights: weights, source: "ckpt")
        } throws: { error in
            guard case .checkpointMismatch(let source, let missing, let unexpected, let wrongShape) = error as? WeightBindingError
            else { return false }
            let message = "\(error)"
            return source == "ckpt"
                && missing == ["vit.encoder.layer.1.attention.attention.key.bias"]
                && unexpected == ["vit.encoder.layer.2.output.dense.weight"]
                && wrongShape == [.init(name: "vit.encoder.layer.0.intermediate.dense.weight",
                                        expected: [24, 16], actual: [16, 24])]
                && message.contains("missing tensors (1)") && message.contains("expected [24, 16], found [16, 24]")
        }
    }

    @Test func qkvBiasFalseMakesTheBiasesUnexpected() throws {
        var configuration = Self.configuration
        configuration.qkvBias = false
        let withBiases = RandomViTWeights(configuration: Self.configuration)
        #expect(throws: WeightBindingError.self) {
            try ViTForImageClassification(configuration: configuration, weights: withBiases, source: "ckpt")
        }
        let withoutBiases = RandomViTWeights(configuration: configuration)
        _ = try ViTForImageClassification(configuration: configuration, weights: withoutBiases, source: "ckpt")
    }

    @Test(arguments: [
        ViTConfiguration(hiddenSize: 18, numAttentionHeads: 4, labels: ["x"]),
        ViTConfiguration(hiddenSize: 16, numAttentionHeads: 4, imageSize: 20, patchSize: 8, labels: ["x"]),
        ViTConfiguration(hiddenSize: 16, numAttentionHeads: 4, imageSize: 16, patchSize: 8, labels: []),
        ViTConfiguration(hiddenSize: 16, numHiddenLayers: -1, numAttentionHeads: 4, imageSize: 16, patchSize: 8),
    ])
    func impossibleConfigurationsAreRefused(configuration: ViTConfiguration) {
        #expect {
            try ViTForImageClassification(configuration: configuration,
                                          weights: RandomViTWeights(tensors: [:]), source: "ckpt")
        } throws: { error in
            if case .invalidConfiguration = error as? WeightBindingError { return true }
            return false
        }
    }
}
