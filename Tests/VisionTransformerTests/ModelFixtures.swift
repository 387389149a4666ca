import Foundation
import TestSupport
import Tensors
import VisionTransformer
import Checkpoints

/// The committed golden models (Fixtures/models, written by Fixtures/generate/models.py with
/// transformers) and their references.
enum ModelFixtures {
    /// `<package root>/Fixtures`.
    static let root = PackageRoot.fixtures

    /// The golden model folders, relative to Fixtures/models.
    static let goldenModels = ["tiny/f32", "tiny/f16", "tiny/bf16", "vit-b16-1layer-f16", "variant"]

    static func directory(_ model: String) -> URL { root.appendingPathComponent("models/\(model)") }

    /// A model folder's model, reference pixel values `[N, 3, H, W]` and logits `[N, labels]`.
    struct Golden {
        let model: ViTForImageClassification
        let pixelValues: Tensor
        let logits: Tensor
        let top5: [[Int]]
        let images: [String]
    }

    struct References: Decodable {
        let images: [String]
        let top5: [[Int]]
    }

    static func golden(_ name: String, instructionSet: VectorInstructionSet = .detected) throws -> Golden {
        let directory = directory(name)
        let configuration = try ViTConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let checkpoint = try Checkpoint.open(directory: directory)
        let model = try ViTForImageClassification(configuration: configuration, weights: checkpoint,
                                                  source: directory.path, instructionSet: instructionSet)
        let references = try Checkpoint(file: directory.appendingPathComponent("references.safetensors"))
        let json = try JSONDecoder().decode(References.self,
                                            from: Data(contentsOf: directory.appendingPathComponent("references.json")))
        return Golden(model: model, pixelValues: try references.tensor(named: "pixel_values"),
                      logits: try references.tensor(named: "logits"), top5: json.top5, images: json.images)
    }

    /// Runs `model` on `batch` images starting at image `first` of `pixelValues`, with `state` (or a
    /// fresh one on `threads` threads).
    static func logits(_ model: ViTForImageClassification, _ pixelValues: Tensor, first: Int = 0, batch: Int,
                       state: ForwardState? = nil, threads: Int = 2) -> [Float] {
        let output = Tensor(zeros: [batch, model.labelCount])
        let input = UnsafeBufferPointer(start: pixelValues.pointer + first * model.inputCount,
                                        count: batch * model.inputCount)
        let state = state ?? ForwardState(model: model, batchCapacity: batch, pool: ThreadPool(threadCount: threads))
        model.logits(pixels: input, batch: batch, into: output.mutableBuffer, state: state)
        return output.scalars
    }
}

/// The largest |a − b| over two equally long sequences.
func maxAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Indices of the `k` largest values, largest first (ties: lower index first).
func topIndices(_ values: ArraySlice<Float>, _ k: Int) -> [Int] {
    let base = values.startIndex
    return values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
        .prefix(k).map { $0 - base }
}
