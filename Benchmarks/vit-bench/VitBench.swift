import ArgumentParser
import Foundation
import SwiftViT
import Tensors
import VisionTransformer

/// `vit-bench`: how fast SwiftViT runs a ViT on this machine, as ratios that survive noise.
@main
struct VitBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vit-bench",
        abstract: "Measure SwiftViT's forward pass: latency, throughput, GFLOP/s against the same-run SGEMM roof.",
        discussion: """
            Without --model, a ViT-B/16-shaped model (224 px, 1000 labels) with random weights is built \
            in memory: speed does not depend on the weights. Quote medians; the machine is noisy.
            """)

    @Option(help: "A model folder (config.json, preprocessor_config.json, model.safetensors).")
    var model: String?

    @Option(name: .customLong("batch-size"), help: "Batch size to measure (repeatable).")
    var batchSizes: [Int] = [1, 8]

    @Option(help: "Compute threads (our kernels and OpenBLAS together).")
    var threads: Int = ComputeThreads.defaultCount

    @Option(help: "Timed forward passes per batch size.")
    var iterations: Int = 10

    @Option(help: "Untimed passes before timing.")
    var warmup: Int = 2

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("gemm-parallelism"), help: "threadPool (default) or openBLASThreads.")
    var gemmParallelism: GEMMParallelism = .threadPool

    @Option(help: "An image file to time decoding and preprocessing on (default: a synthetic 1000×872 image).")
    var image: String?

    @Flag(help: "Also measure GEMM GFLOP/s for every ViT shape (M = 197, 1576; N, K ∈ {768, 2304, 3072}).")
    var gemm = false

    @Flag(help: "Also time the element-wise kernels (GELU, softmax, LayerNorm) at ViT-B shapes.")
    var kernels = false

    @Flag(help: "Count heap allocations in steady-state forward passes (Linux with glibc).")
    var allocations = false

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    mutating func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard iterations >= 1, warmup >= 0 else { throw ValidationError("--iterations ≥ 1 and --warmup ≥ 0") }
        guard batchSizes.allSatisfy({ $0 >= 1 && $0 <= 1024 }) else { throw ValidationError("--batch-size must be 1…1024") }
    }

    func run() throws {
        ComputeThreads.configure(count: threads, gemmParallelism: gemmParallelism)
        let loaded = try LoadedModel(path: model, threads: threads)
        let roof = GEMMBenchmark.roof(iterations: iterations)
        var report = Report(model: loaded.name, threads: threads, gemmParallelism: gemmParallelism.rawValue,
                            openBLASCore: OpenBLASRuntime.coreName,
                            vectorInstructionSet: VectorInstructionSet.active.description,
                            threadSplit: ThreadPool.splitsBySpeed ? "measured" : "equal",
                            loadMilliseconds: loaded.loadSeconds * 1000,
                            preprocessMilliseconds: try preprocessingSeconds(loaded.processor) * 1000,
                            sgemmRoofGFLOPS: roof)
        for batch in batchSizes {
            report.results.append(ForwardBenchmark.run(loaded.model, batch: batch, warmup: warmup,
                                                       iterations: iterations, roof: roof))
        }
        report.threadShares = ComputeThreads.pool.balancedShares
        if gemm { report.gemmShapes = GEMMBenchmark.vitShapes(roof: roof, iterations: iterations) }
        if kernels { report.kernels = KernelBenchmark.run(iterations: iterations) }
        if allocations {
            let check = ForwardBenchmark.allocationsPerPass(loaded.model, batch: 1, passes: 3)
            report.allocationsPerForward = check
            if check == nil {
                FileHandle.standardError.write(Data(("vit-bench: allocations cannot be counted here (the counting "
                    + "allocator replaces glibc's, so it needs Linux with glibc)\n").utf8))
            }
        }
        report.peakResidentMegabytes = peakResidentMegabytes()
        print(format == .json ? report.json() : report.text())
    }

    /// Median seconds to decode (when a file is given) and preprocess one image.
    func preprocessingSeconds(_ processor: ImageProcessor) throws -> Double {
        if let image {
            let data = try Data(contentsOf: URL(fileURLWithPath: image))
            let decoder = ImageDecoder()
            return Timings(measure(warmup: 1, iterations: 9) {
                _ = try? processor.process(decoder.decode(data, source: image))
            }).median
        }
        var pixels = [UInt8](repeating: 0, count: 1000 * 872 * 3)
        for index in pixels.indices { pixels[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
        let synthetic = RGBImage(width: 1000, height: 872, pixels: pixels)
        return Timings(measure(warmup: 1, iterations: 9) { _ = processor.process(synthetic) }).median
    }
}

extension GEMMParallelism: ExpressibleByArgument {}
