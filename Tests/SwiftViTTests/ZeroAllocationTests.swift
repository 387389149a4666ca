import Foundation
import Testing

/// The steady-state forward pass of a 12-layer ViT-B/16 performs no heap allocation.
///
/// How it is checked: `vit-bench --allocations` links a counting allocator of ours (Benchmarks/AllocationCounter),
/// which counts every malloc/calloc/realloc/posix_memalign on every thread. The tool first makes a deliberate
/// allocation to prove the counter is live (otherwise it reports `null`), runs one warm-up
/// forward pass, then counts the allocations of three more passes (batch 1, random ViT-B/16
/// weights built in memory: 86 M parameters, 12 layers, 224 px).
@Suite struct ZeroAllocationTests {
    /// `vit-bench`, built with the tests, next to the test bundle.
    static var benchmark: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vit-bench")
    }

    @Test func viTBaseForwardPassAllocatesNothingAfterTheFirstCall() throws {
        let process = Process()
        process.executableURL = Self.benchmark
        process.arguments = ["--allocations", "--batch-size", "1", "--iterations", "1", "--warmup", "0",
                             "--format", "json"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let report = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let allocations = report?["allocations_per_forward"] as? Int
        #expect(allocations == 0, "vit-bench reported \(String(decoding: data, as: UTF8.self))")
    }
}
