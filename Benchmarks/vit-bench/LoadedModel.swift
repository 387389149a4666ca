import Foundation
import SwiftViT
import VisionTransformer

/// The model under test: loaded from a folder (timing the load), or ViT-B/16-shaped with random
/// weights built in memory.
struct LoadedModel {
    let name: String
    let model: ViTForImageClassification
    let processor: ImageProcessor
    let loadSeconds: Double

    init(path: String?, threads: Int) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        if let path {
            let classifier = try ImageClassifier(directory: URL(fileURLWithPath: path),
                                                 options: .init(threads: threads))
            name = path
            model = classifier.model
            processor = classifier.processor
        } else {
            let configuration = ViTConfiguration(labels: (0..<1000).map { "class \($0)" })
            name = "random ViT-B/16 (224 px, 1000 labels)"
            model = try ViTForImageClassification(configuration: configuration,
                                                  weights: RandomViTWeights(configuration: configuration),
                                                  source: "random weights")
            processor = try ImageProcessor(configuration: .vitBasePatch16_224, backend: .torchvision)
        }
        loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
