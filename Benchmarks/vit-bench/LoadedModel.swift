import Foundation
import SwiftViT
import Tensors
import VisionTransformer
import ModelHub
import Checkpoints
import ImagePreprocessing

/// The model under test: loaded from a folder (timing the load), or ViT-B/16-shaped with random
/// weights built in memory.
struct LoadedModel {
    let name: String
    let model: ViTForImageClassification
    let processor: ImageProcessor
    let loadSeconds: Double

    init(path: String?, instructionSet: VectorInstructionSet, computePrecision: ComputePrecision, pool: ThreadPool) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        if let path {
            let directory = URL(fileURLWithPath: path)
            let files = try ModelRepository().localFiles(in: directory)
            let configuration = try ViTConfiguration(contentsOf: files.configuration)
            model = try ViTForImageClassification(configuration: configuration, weights: files.openCheckpoint(),
                                                  source: path, instructionSet: instructionSet,
                                                  computePrecision: computePrecision, pool: pool)
            processor = ImageProcessor(configuration: try ImageProcessingConfiguration(
                contentsOf: files.preprocessorConfiguration))
            name = path
        } else {
            let configuration = ViTConfiguration(labels: (0..<1000).map { "class \($0)" })
            name = "random ViT-B/16 (224 px, 1000 labels)"
            model = try ViTForImageClassification(configuration: configuration,
                                                  weights: RandomViTWeights(configuration: configuration),
                                                  source: "random weights", instructionSet: instructionSet,
                                                  computePrecision: computePrecision, pool: pool)
            processor = try ImageProcessor(configuration: .vitBasePatch16_224, backend: .torchvision)
        }
        loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
