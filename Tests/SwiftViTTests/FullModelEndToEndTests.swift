import Foundation
import Testing
import Checkpoints
import SwiftViT

/// A full 12-layer ViT-B/16 end to end from the image files, against transformers' default pipeline and its
/// Pillow backend, when `SWIFTVIT_FULL_MODEL_DIR` names a folder written by
/// `SWIFTVIT_FULL_MODEL_DIR=DIR Fixtures/generate/run.sh models` (346 MB, never committed).
@Suite struct FullModelEndToEndTests {
    static let directory = ProcessInfo.processInfo.environment["SWIFTVIT_FULL_MODEL_DIR"].map(URL.init(fileURLWithPath:))

    @Test(.enabled(if: directory != nil), arguments: ProcessorBackend.allCases)
    func fullViTBaseMatchesEachBackend(backend: ProcessorBackend) throws {
        let directory = try #require(Self.directory)
        let tensors = try Checkpoint(file: directory.appendingPathComponent("references.safetensors"))
        guard tensors.tensorNames.contains("pipeline_logits") else {
            Issue.record("\(directory.path) predates the pipeline references; regenerate it")
            return
        }
        let references = try JSONDecoder().decode(ImageClassifierTests.References.self, from: Data(
            contentsOf: directory.appendingPathComponent("references.json")))
        let classifier = try ImageClassifier(directory: directory, options: .init(processorBackend: backend))
        let logits = try ImageClassifierTests.allLogits(classifier, references)
        let (own, other) = backend == .torchvision ? ("pipeline_logits", "logits") : ("logits", "pipeline_logits")
        let expected = try tensors.tensor(named: own).scalars, otherBackend = try tensors.tensor(named: other).scalars
        let flat = logits.flatMap { $0 }
        let worst = zip(flat, expected).map { abs($0 - $1) }.max() ?? .nan
        let worstAgainstOther = zip(flat, otherBackend).map { abs($0 - $1) }.max() ?? .nan
        print("MEASURED full ViT-B/16 end to end, \(backend) backend: max |Δ logits| (all 1000 labels, "
              + "\(logits.count) images) = \(worst) vs its reference, \(worstAgainstOther) vs the other backend's")
        #expect(worst <= 1e-4)
    }
}
