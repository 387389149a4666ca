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
        abstract: "Measure SwiftViT's forward pass: latency, throughput, GFLOP/s against the same-run FMA peak.",
        discussion: """
            Without --model, a ViT-B/16-shaped model (224 px, 1000 labels) with random weights is built \
            in memory: speed does not depend on the weights. Quote medians; the machine is noisy.
            """)

    @Option(help: "A model folder (config.json, preprocessor_config.json, model.safetensors).")
    var model: String?

    @Option(name: .customLong("batch-size"), help: "Batch size to measure (repeatable).")
    var batchSizes: [Int] = [1, 8]

    @Option(help: "Compute threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Timed forward passes per batch size.")
    var iterations: Int = 10

    @Option(help: "Untimed passes before timing.")
    var warmup: Int = 2

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    // Optional, so --help does not print the default as the enum's raw value ("2").
    @Option(name: .customLong("isa"),
            help: "Kernels to run: avx512, avx2 or baseline (portable C + OpenBLAS GEMMs); default: the best this CPU has.")
    var requestedISA: VectorInstructionSet?

    /// `--isa`, or the best this CPU has.
    var isa: VectorInstructionSet { requestedISA ?? .detected }

    @Option(name: .customLong("compute"), help: "The number format of the network's GEMMs: float32, bfloat16 or int8.")
    var computePrecision: ComputePrecision = .float32

    @Option(help: ArgumentHelp("Also time the model in this number format, pass by pass in turn with --compute's, and "
                               + "report the speed-up (median of the pairs' time ratios).", valueName: "compute"))
    var versus: ComputePrecision?

    @Option(name: .customLong("thread-split"), help: "measured (split work by each thread's learned speed) or equal.")
    var threadSplit: ThreadSplit = .measured

    @Option(help: "An image file to time decoding and preprocessing on (default: a synthetic 1000×872 image).")
    var image: String?

    @Flag(help: "Also measure our GEMM against OpenBLAS for every ViT shape (M = 1, 8, 197, 1576; N, K ∈ {768, 2304, 3072}).")
    var gemm = false

    @Flag(help: "Also time the element-wise kernels (GELU, softmax, LayerNorm) at ViT-B shapes.")
    var kernels = false

    @Flag(help: "Count heap allocations in steady-state forward passes (Linux with glibc).")
    var allocations = false

    enum OutputFormat: String, ExpressibleByArgument { case text, json }
    enum ThreadSplit: String, ExpressibleByArgument { case measured, equal }

    mutating func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard iterations >= 1, warmup >= 0 else { throw ValidationError("--iterations ≥ 1 and --warmup ≥ 0") }
        guard batchSizes.allSatisfy({ $0 >= 1 && $0 <= 1024 }) else { throw ValidationError("--batch-size must be 1…1024") }
        guard isa <= .detected else { throw ValidationError("this CPU cannot run --isa \(isa) (best: \(VectorInstructionSet.detected))") }
    }

    func run() throws {
        let pool = ThreadPool(threadCount: threads, splitsBySpeed: threadSplit == .measured)
        let loaded = try LoadedModel(path: model, instructionSet: isa, computePrecision: computePrecision, pool: pool)
        let peak = FMAPeak.gigaflops(isa, pool: pool)
        let native = NativeDotInstruction.forProducts(computePrecision, on: isa)
        let computePeak = FMAPeak.nativeDotGigaflops(isa, precision: computePrecision, pool: pool) ?? peak
        let sgemm = GEMMBenchmark.openBLASRoof(pool: pool, iterations: iterations)
        var report = Report(model: loaded.name, threads: threads, openBLASCore: OpenBLASRuntime.coreName,
                            instructionSet: isa.description, computePrecision: computePrecision.description,
                            gemmKernel: MatrixMultiply.kernelName(isa, computePrecision),
                            cpuFeatures: CPUFeatures.current.description,
                            threadSplit: threadSplit.rawValue, loadMilliseconds: loaded.loadSeconds * 1000,
                            preprocessMilliseconds: try preprocessingSeconds(loaded.processor) * 1000,
                            fmaPeakGFLOPS: peak, computePeakGFLOPS: computePeak,
                            computeRoofInstruction: native.map { String(describing: $0) } ?? (peak == nil ? "none" : "fma"),
                            openBLASSGEMMGFLOPS: sgemm)
        for batch in batchSizes {
            report.results.append(ForwardBenchmark.run(loaded.model, batch: batch, pool: pool, warmup: warmup,
                                                       iterations: iterations, roof: computePeak ?? sgemm))
        }
        if let versus {
            let peer = try LoadedModel(path: model, instructionSet: isa, computePrecision: versus, pool: pool)
            for batch in batchSizes {
                report.versus.append(PeerComparison.run(loaded.model, peer: peer.model, batch: batch, pool: pool,
                                                        warmup: warmup, iterations: iterations))
            }
        }
        report.threadShares = pool.balancedShares
        if gemm {
            report.gemmShapes = GEMMBenchmark.vitShapes(instructionSet: isa, pool: pool, roof: peak ?? sgemm,
                                                        iterations: iterations)
            report.attention = AttentionBenchmark.run(instructionSet: isa, iterations: iterations)
        }
        if kernels { report.kernels = KernelBenchmark.run(iterations: iterations) }
        if allocations {
            let check = ForwardBenchmark.allocationsPerPass(loaded.model, batch: 1, pool: pool, passes: 3)
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

extension ComputePrecision: ExpressibleByArgument {}

extension VectorInstructionSet: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    // By name in --help ("avx512, avx2, baseline"), not by raw value ("0, 1, 2").
    public static var allValueStrings: [String] { allCases.map(\.description) }
}
