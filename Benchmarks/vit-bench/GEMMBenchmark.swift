import Tensors

/// Our GEMM against OpenBLAS for the shapes a ViT runs, on the same threads in the same run, and
/// OpenBLAS's large square SGEMM rate (its practical best on this machine).
enum GEMMBenchmark {
    struct Shape: Encodable {
        let m: Int
        let n: Int
        let k: Int
        let gflops: Double
        let openBLASGFLOPS: Double
        let roofFraction: Double

        enum CodingKeys: String, CodingKey {
            case m, n, k, gflops = "gflops_per_second", openBLASGFLOPS = "openblas_gflops_per_second"
            case roofFraction = "roof_fraction"
        }
    }

    /// GFLOP/s of `C = A·Wᵀ` (`A`: m×k, `W`: n×k — a linear layer) with `W` packed for
    /// `instructionSet` (``VectorInstructionSet/baseline``: OpenBLAS), median over `iterations`.
    static func rate(m: Int, n: Int, k: Int, instructionSet: VectorInstructionSet, pool: ThreadPool,
                     warmup: Int, iterations: Int) -> Double {
        let a = Tensor(zeros: [m, k]), w = Tensor(zeros: [n, k]), c = Tensor(zeros: [m, n])
        for index in 0..<a.count { a.mutablePointer[index] = Float(index % 7) * 0.01 }
        for index in 0..<w.count { w.mutablePointer[index] = Float(index % 5) * 0.01 }
        let packed = PackedMatrix(weight: w.matrix, instructionSet: instructionSet, pool: pool)
        let scratch = Tensor(zeros: [max(1, MatrixMultiply.scratchCount(m: m, n: n, k: k, instructionSet: instructionSet))])
        let seconds = measure(warmup: warmup, iterations: iterations) {
            MatrixMultiply.multiply(a.matrix, packed.panels, into: c.mutableMatrix, scratch: scratch.mutablePointer,
                                    pool: pool)
        }
        return 2 * Double(m) * Double(n) * Double(k) / Timings(seconds).median / 1e9
    }

    /// OpenBLAS's rate on a 2048³ product split over the pool: the median of 3…5 products (each
    /// takes ~0.1 s; more would only lengthen a long `--iterations` run, e.g. under a profiler).
    static func openBLASRoof(pool: ThreadPool, iterations: Int) -> Double {
        rate(m: 2048, n: 2048, k: 2048, instructionSet: .baseline, pool: pool, warmup: 1,
             iterations: min(5, max(3, iterations)))
    }

    /// Every ViT shape: M = 1, 8 (the CLS-only last layer), 197 (one image), 1576 (eight); N and K
    /// from {768, 2304, 3072}, and the classifier (N = 1000).
    static func vitShapes(instructionSet: VectorInstructionSet, pool: ThreadPool, roof: Double,
                          iterations: Int) -> [Shape] {
        var shapes: [Shape] = []
        let products = [(768, 768), (2304, 768), (3072, 768), (768, 3072), (1000, 768)]
        for m in [1, 8, 197, 1576] {
            for (n, k) in products {
                let ours = rate(m: m, n: n, k: k, instructionSet: instructionSet, pool: pool, warmup: 1,
                                iterations: iterations)
                let reference = rate(m: m, n: n, k: k, instructionSet: .baseline, pool: pool, warmup: 1,
                                     iterations: iterations)
                shapes.append(Shape(m: m, n: n, k: k, gflops: ours, openBLASGFLOPS: reference, roofFraction: ours / roof))
            }
        }
        return shapes
    }
}
