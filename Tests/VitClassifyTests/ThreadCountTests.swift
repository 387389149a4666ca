import Foundation
import Testing

/// Threads change speed, never results: GEMM columns and attention heads are split across
/// threads by their measured speed, and every part stays large enough that OpenBLAS takes the
/// same summation path whatever the split (Architecture.md, "Splitting by measured speed").
@Suite struct ThreadCountTests {
    @Test func everyThreadCountGivesBitIdenticalLogits() throws {
        let scratch = try TestFixtures.scratchFolder()
        // A ViT-B/16-wide layer: its GEMMs are large enough to be split across threads.
        let model = TestFixtures.fixtures.appendingPathComponent("models/vit-b16-1layer-f16").path
        var outputs: [String] = []
        for threads in [1, 2, 3] {
            let result = try CommandRunner.run(["--model", model, "--threads", "\(threads)", "--top-k", "1000",
                                                "--format", "jsonl", TestFixtures.photo.path],
                                               in: scratch.url, scratch: scratch.url)
            #expect(result.status == 0)
            outputs.append(result.standardOutput)
        }
        // Every logit is printed as the shortest decimal that round-trips, so equal text is
        // equal bits.
        #expect(outputs[0].contains("\"logit\""))
        #expect(outputs[1] == outputs[0])
        #expect(outputs[2] == outputs[0])
    }
}
