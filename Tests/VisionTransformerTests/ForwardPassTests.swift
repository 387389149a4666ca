import Testing
import Tensors
import VisionTransformer
import Checkpoints

/// Properties of the forward pass that hold for any weights.
@Suite struct ForwardPassTests {
    /// Every configuration shape the model must handle: odd widths and head sizes, one head,
    /// a single patch, no layers, one label, each activation.
    @Test(arguments: [
        ViTConfiguration(hiddenSize: 12, numHiddenLayers: 1, numAttentionHeads: 3, intermediateSize: 7,
                         hiddenAct: .relu, imageSize: 8, patchSize: 8, labels: ["only"]),
        ViTConfiguration(hiddenSize: 20, numHiddenLayers: 3, numAttentionHeads: 1, intermediateSize: 33,
                         hiddenAct: .silu, imageSize: 15, patchSize: 5, qkvBias: false, labels: ["a", "b"]),
        ViTConfiguration(hiddenSize: 16, numHiddenLayers: 0, numAttentionHeads: 2, intermediateSize: 8,
                         imageSize: 8, patchSize: 4, labels: ["a", "b", "c"]),
        ViTConfiguration(hiddenSize: 24, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 40,
                         hiddenAct: .quickGelu, imageSize: 12, patchSize: 3, labels: ["a", "b", "c", "d"]),
    ])
    func resultsDoNotDependOnBatching(configuration: ViTConfiguration) throws {
        let model = try ViTForImageClassification(configuration: configuration,
                                                  weights: RandomViTWeights(configuration: configuration, seed: 7),
                                                  source: "random")
        let batch = 3
        let pixels = Tensor(zeros: [batch * model.inputCount])
        var generator = UInt32(12345)
        for index in 0..<pixels.count {
            generator = generator &* 1_664_525 &+ 1_013_904_223
            pixels.mutablePointer[index] = Float(generator >> 8) / Float(1 << 24) * 2 - 1
        }
        let all = ModelFixtures.logits(model, pixels, batch: batch)
        #expect(all.allSatisfy { $0.isFinite })
        for image in 0..<batch {
            let one = ModelFixtures.logits(model, pixels, first: image, batch: 1)
            let row = Array(all[(image * model.labelCount)..<((image + 1) * model.labelCount)])
            #expect(maxAbsoluteDifference(one, row) <= 1e-5)
        }
        // A different image gives different logits (the pixels reach the output), except with
        // no layers: then the CLS token never sees the patches, in transformers too.
        let differ = all[0..<model.labelCount] != all[model.labelCount..<(2 * model.labelCount)]
        #expect(differ == (configuration.numHiddenLayers > 0))
    }

    @Test func flopsOfViTBaseMatchTheKnownCount() throws {
        let configuration = ViTConfiguration(labels: (0..<1000).map(String.init))
        let flops = ViTForImageClassification.flops(configuration)
        // 17.6 GMAC per image for ViT-B/16 at 224.
        #expect(abs(flops / 2 / 1e9 - 17.56) < 0.05)
    }
}
