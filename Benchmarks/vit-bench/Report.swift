import Foundation
import VisionTransformer

/// Everything one `vit-bench` run measured, printable as text or as one JSON object.
struct Report: Encodable {
    let model: String
    let threads: Int
    let openBLASCore: String
    /// The kernels the model ran (avx512, avx2, baseline).
    let instructionSet: String
    /// The number format of the projection GEMMs and the kernel that ran them.
    let computePrecision: String
    let gemmKernel: String
    let cpuFeatures: String
    /// "measured" (regions split by each thread's learned speed) or "equal".
    let threadSplit: String
    let loadMilliseconds: Double
    let preprocessMilliseconds: Double
    /// All threads running register-only FMAs of the instruction set (nil on baseline).
    let fmaPeakGFLOPS: Double?
    /// The roof `roof_fraction` divides by: the FMA peak for Float32 and the emulations, the native
    /// `vdpbf16ps` / `vpdpbusd` loop's rate for bfloat16 / int8 where the CPU has them.
    let computePeakGFLOPS: Double?
    /// Whose register-only loop `computePeakGFLOPS` is: `vdpbf16ps` or `vpdpbusd` (the native bfloat16 / int8
    /// instructions), `fma`, or `none` (baseline: no roof of ours).
    let computeRoofInstruction: String
    /// OpenBLAS on a 2048³ product over the same threads.
    let openBLASSGEMMGFLOPS: Double
    var results: [ForwardBenchmark.Result] = []
    /// `--versus`: the same batches against the model in another number format, alternated pass by pass.
    var versus: [PeerComparison.Result] = []
    var gemmShapes: [GEMMBenchmark.Shape]?
    var attention: [AttentionBenchmark.Entry]?
    var kernels: [KernelBenchmark.Entry]?
    var allocationsPerForward: Int?
    var peakResidentMegabytes: Double?
    /// Each thread's share of a GEMM's columns after the runs (learned from their speed).
    var threadShares: [Double]?

    enum CodingKeys: String, CodingKey {
        case model, threads, openBLASCore = "openblas_core", cpuFeatures = "cpu_features"
        case instructionSet = "isa", computePrecision = "compute", gemmKernel = "gemm_kernel", threadSplit = "thread_split", threadShares = "thread_shares"
        case loadMilliseconds = "load_ms", preprocessMilliseconds = "preprocess_ms"
        case fmaPeakGFLOPS = "fma_peak_gflops", computePeakGFLOPS = "compute_peak_gflops"
        case computeRoofInstruction = "compute_roof_instruction"
        case openBLASSGEMMGFLOPS = "openblas_sgemm_gflops"
        case results, versus, gemmShapes = "gemm_shapes", attention = "attention_head", kernels
        case allocationsPerForward = "allocations_per_forward", peakResidentMegabytes = "peak_rss_mb"
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    func text() -> String {
        func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
        var lines = [
            "model: \(model)",
            "threads: \(threads) (kernels: \(instructionSet), \(computePrecision) GEMMs on \(gemmKernel), thread split: \(threadSplit); CPU: \(cpuFeatures); "
                + "OpenBLAS kernels: \(openBLASCore))",
            "load: \(f(loadMilliseconds)) ms   preprocessing one image: \(f(preprocessMilliseconds, 2)) ms",
            "same-run roof: \(fmaPeakGFLOPS.map { f($0) + " GFLOP/s FMA peak" } ?? "no FMA kernel (baseline)"); "
                + (["fma", "none"].contains(computeRoofInstruction) ? ""
                   : computePeakGFLOPS.map { "\(gemmKernel) peak \(f($0)) GFLOP/s (the roof below); " } ?? "")
                + "OpenBLAS 2048³ SGEMM \(f(openBLASSGEMMGFLOPS)) GFLOP/s",
            "",
            "batch  median ms   min ms   max ms   img/s  GFLOP/s  of roof",
        ]
        for result in results {
            lines.append([String(result.batchSize).leftPadded(5), f(result.latency.median).leftPadded(10),
                          f(result.latency.min).leftPadded(8), f(result.latency.max).leftPadded(8),
                          f(result.imagesPerSecond, 2).leftPadded(7), f(result.gflopsPerSecond).leftPadded(8),
                          (f(result.roofFraction * 100) + "%").leftPadded(8)].joined(separator: " "))
        }
        for result in results {
            let total = result.stages.values.reduce(0, +)
            let parts = ForwardStage.allCases.map { stage in
                let ms = result.stages[stage.name] ?? 0
                return "\(stage.name) \(f(ms)) (\(f(ms / max(total, 1e-9) * 100, 0))%)"
            }
            lines.append("stages, batch \(result.batchSize), ms per pass: " + parts.joined(separator: ", "))
        }
        for comparison in versus {
            lines.append("versus \(comparison.peerCompute), batch \(comparison.batchSize), alternated pass by pass: "
                         + "\(computePrecision) \(f(comparison.latency.median)) ms, \(comparison.peerCompute) "
                         + "\(f(comparison.peerLatency.median)) ms; speed-up median \(f(comparison.speedup.median, 3))× "
                         + "(\(f(comparison.speedup.min, 3))–\(f(comparison.speedup.max, 3))×)")
        }
        if let threadShares, threadShares.count > 1 {
            lines.append("learned thread shares of each GEMM: " + threadShares.map { f($0, 3) }.joined(separator: " / "))
        }
        if let gemmShapes {
            lines.append("")
            lines.append("GEMM C = A·Wᵀ      M      N      K  GFLOP/s  of roof  OpenBLAS  ours/OpenBLAS")
            for shape in gemmShapes {
                lines.append("              " + [String(shape.m).leftPadded(7), String(shape.n).leftPadded(6),
                                                 String(shape.k).leftPadded(6), f(shape.gflops).leftPadded(8),
                                                 (f(shape.roofFraction * 100) + "%").leftPadded(8),
                                                 f(shape.openBLASGFLOPS).leftPadded(9),
                                                 (f(shape.gflops / shape.openBLASGFLOPS, 2) + "×").leftPadded(14)]
                                                 .joined(separator: " "))
            }
        }
        if let attention, !attention.isEmpty {
            lines.append("")
            lines.append("one attention head, one thread (ours includes packing the head's keys / values):")
            for entry in attention {
                lines.append("  \(entry.product): ours \(f(entry.ours)) µs, OpenBLAS \(f(entry.openBLAS)) µs "
                             + "(ours/OpenBLAS \(f(entry.ours / entry.openBLAS, 2))×)")
            }
        }
        if let kernels {
            lines.append("")
            for kernel in kernels {
                lines.append("\(kernel.name) [\(kernel.instructionSet)]: \(f(kernel.microseconds)) µs")
            }
        }
        if let allocationsPerForward {
            lines.append("heap allocations per steady-state forward pass (batch 1): \(allocationsPerForward)")
        }
        if let peakResidentMegabytes { lines.append("peak resident memory: \(f(peakResidentMegabytes)) MB") }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
