import CKernels
import Dispatch

/// The machine's FMA roof for an instruction set (and, for bfloat16 and int8, the roof of their
/// native dot-product instructions): every thread of a pool running independent
/// fused multiply-adds on registers only (as many chains as a GEMM tile has accumulators), so
/// nothing but the FMA units limits it. The honest denominator for "fraction of peak".
public enum FMAPeak {
    /// GFLOP/s (2 per multiply-add) of `pool`'s threads together, best of `repetitions` rounds of
    /// about 20 ms each; `nil` for ``VectorInstructionSet/baseline`` (no FMA kernel of ours).
    public static func gigaflops(_ instructionSet: VectorInstructionSet, pool: ThreadPool,
                                 repetitions: Int = 5) -> Double? {
        guard instructionSet.hasOwnGEMM else { return nil }
        // Each round: 2·strip chains × vector width lanes × 2 flops.
        let flopsPerRound = instructionSet == .avx512 ? 24.0 * 16 * 2 : 12.0 * 8 * 2
        return bestRate(instructionSet == .avx512 ? ck_avx512_fma_peak : ck_avx2_fma_peak, iterations: 2_000_000,
                        flopsPerRound: flopsPerRound, pool: pool, repetitions: repetitions)
    }

    /// The roof of the native kernel a `precision` product runs on `instructionSet` — the
    /// `vdpbf16ps` (bfloat16) or `vpdpbusd` (int8) loop, where ``MatrixMultiply/kernelName(_:_:)``
    /// names one — in GFLOP/s counted as Float32 products are (2 per multiply-add), so a model's
    /// FLOPs divide by it alike; `nil` where the product runs on FMAs (Float32, the emulations: their
    /// roof is ``gigaflops(_:pool:repetitions:)``).
    public static func nativeDotGigaflops(_ instructionSet: VectorInstructionSet, precision: ComputePrecision,
                                          pool: ThreadPool, repetitions: Int = 5) -> Double? {
        // The loop and its multiply-adds per round: 24 chains × lanes × depth.
        let loop: (UInt64) -> Double, multiplyAdds: Double
        switch NativeDotInstruction.forProducts(precision, on: instructionSet) {
        case .vdpbf16ps?: (loop, multiplyAdds) = (ck_avx512bf16_dot_peak, 24.0 * 16 * 2)
        case .vpdpbusd?: (loop, multiplyAdds) = (ck_avx512vnni_dot_peak, 24.0 * 16 * 4)
        case nil: return nil
        }
        return bestRate(loop, iterations: 1_000_000, flopsPerRound: 2 * multiplyAdds, pool: pool,
                        repetitions: repetitions)
    }

    /// GFLOP/s of `loop` (`iterations` rounds of `flopsPerRound`, returning its seconds) run on
    /// every thread of `pool` at once, best of `repetitions` runs timed around the whole region.
    private static func bestRate(_ loop: (UInt64) -> Double, iterations: UInt64, flopsPerRound: Double,
                                 pool: ThreadPool, repetitions: Int) -> Double {
        var best = 0.0
        for _ in 0..<max(1, repetitions) {
            let start = DispatchTime.now().uptimeNanoseconds
            pool.run { _ in _ = loop(iterations) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, flopsPerRound * Double(iterations) * Double(pool.threadCount) / seconds / 1e9)
        }
        return best
    }
}
