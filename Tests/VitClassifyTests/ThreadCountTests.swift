import Foundation
import Testing
import Tensors

/// Threads and batches change speed, never results: every product sums in one fixed order
/// whatever the split, the thread count or the batch an image shares (Architecture.md,
/// "Determinism"), so the same folder gives the same bytes however it is run.
@Suite struct ThreadCountTests {
    /// The folder: the four photos and a few crafted images of other sizes and formats.
    static func folder(in scratch: URL) throws -> URL {
        let folder = scratch.appendingPathComponent("images", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let images = TestFixtures.fixtures.appendingPathComponent("images")
        for name in ["photos/astronaut.jpg", "photos/chelsea.jpg", "photos/coffee.jpg", "photos/hubble_deep_field.jpg",
                     "crafted/orientation-6.jpg", "crafted/png-rgba.png", "crafted/jpeg-gray.jpg",
                     "crafted/jpeg-progressive.jpg"] {
            let source = images.appendingPathComponent(name)
            try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(source.lastPathComponent))
        }
        return folder
    }

    @Test func everyThreadCountAndBatchSizeGivesTheSameBytes() throws {
        let scratch = try TestFixtures.scratchFolder()
        // A ViT-B/16-wide layer: its GEMMs are large enough to be split across threads.
        let model = TestFixtures.fixtures.appendingPathComponent("models/vit-b16-1layer-f16").path
        let folder = try Self.folder(in: scratch.url)
        func label(threads: Int, batch: Int) throws -> String {
            let result = try CommandRunner.run(["--model", model, "--threads", "\(threads)", "--batch-size", "\(batch)",
                                                "--top-k", "1000", "--format", "jsonl", folder.path],
                                               in: scratch.url, scratch: scratch.url)
            #expect(result.status == 0, "\(result.standardError)")
            return result.standardOutput
        }
        let first = try label(threads: 2, batch: 8)
        // Every logit is printed as the shortest decimal that round-trips, so equal text is equal bits.
        #expect(first.contains("\"logit\"") && first.split(separator: "\n").count >= 5)
        #expect(try label(threads: 2, batch: 8) == first, "the same command run twice")
        guard VectorInstructionSet.detected.hasOwnGEMM else {
            // Without AVX2 the products go through OpenBLAS, whose bits depend on how a product is
            // split and blocked: only the same command is promised the same bytes (Fidelity.md).
            return
        }
        for (threads, batch) in [(1, 8), (2, 1), (1, 1), (2, 3), (1, 3), (3, 2)] {
            #expect(try label(threads: threads, batch: batch) == first, "--threads \(threads) --batch-size \(batch)")
        }
    }
}
