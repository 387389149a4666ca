import Foundation
import Testing
@testable import Checkpoints
import TestSupport

/// Opening a full-size ViT-B/16 checkpoint (346 MB in F32) is memory-mapped and takes
/// milliseconds. Runs when `SWIFTVIT_FULL_CHECKPOINT` names a model directory (for example one
/// written by `ViTForImageClassification(ViTConfig()).save_pretrained(path)`, or a Hugging Face
/// cache snapshot of google/vit-base-patch16-224); the committed fixtures are tiny.
@Suite struct FullSizeCheckpointTests {
    static let directory = ProcessInfo.processInfo.environment["SWIFTVIT_FULL_CHECKPOINT"]

    @Test(.enabled(if: directory != nil, "set SWIFTVIT_FULL_CHECKPOINT to a ViT-B model directory"))
    func openingTakesMillisecondsAndReadsNothing() throws {
        let url = URL(fileURLWithPath: try #require(Self.directory))
        let checkpoint = try Checkpoint.open(directory: url)
        let residentAfterOpen = try #require(checkpoint.residentByteCount)
        print("full-size checkpoint: \(checkpoint.byteCount) bytes, \(checkpoint.tensorNames.count) tensors, "
              + "opened in \(checkpoint.openDuration), \(residentAfterOpen) bytes resident after open")
        #expect(checkpoint.openDuration < .milliseconds(50))
        #expect(residentAfterOpen < 1 << 20)

        let clock = ContinuousClock()
        let start = clock.now
        var total = 0.0
        for name in checkpoint.tensorNames {
            let tensor = try checkpoint.tensor(named: name)
            total += Double(tensor.buffer.reduce(0, +))
        }
        let resident = try #require(checkpoint.residentByteCount)
        print("full-size checkpoint: every tensor read (sum \(total)) in \(clock.now - start); \(resident) bytes resident")
        #expect(resident > checkpoint.byteCount / 2)
    }
}
