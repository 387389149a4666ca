import Tensors

/// GEMM rates for the shapes a ViT runs, next to a large square SGEMM (the machine's practical
/// roof for our GEMM path), all measured in the same run.
enum GEMMBenchmark {
    struct Shape: Encodable {
        let m: Int
        let n: Int
        let k: Int
        let gflops: Double
        let roofFraction: Double

        enum CodingKeys: String, CodingKey {
            case m, n, k, gflops = "gflops_per_second", roofFraction = "roof_fraction"
        }
    }

    /// GFLOP/s of `C = A·Bᵀ` (`A`: m×k, `B`: n×k — the layout of a linear layer) through our
    /// GEMM path, median over `iterations`.
    static func rate(m: Int, n: Int, k: Int, warmup: Int, iterations: Int) -> Double {
        let a = Tensor(zeros: [m, k]), b = Tensor(zeros: [n, k]), c = Tensor(zeros: [m, n])
        for index in 0..<a.count { a.mutablePointer[index] = Float(index % 7) * 0.01 }
        for index in 0..<b.count { b.mutablePointer[index] = Float(index % 5) * 0.01 }
        let seconds = measure(warmup: warmup, iterations: iterations) {
            MatrixMultiply.gemm(a.matrix, b.matrix, into: c.mutableMatrix, transposeB: true)
        }
        return 2 * Double(m) * Double(n) * Double(k) / Timings(seconds).median / 1e9
    }

    /// The same-run roof: a 2048³ SGEMM.
    static func roof(iterations: Int) -> Double {
        rate(m: 2048, n: 2048, k: 2048, warmup: 1, iterations: max(3, iterations))
    }

    /// Every ViT shape: M = 197 (one image) and 1576 (eight), N and K from {768, 2304, 3072}.
    static func vitShapes(roof: Double, iterations: Int) -> [Shape] {
        var shapes: [Shape] = []
        for m in [197, 1576] {
            for n in [768, 2304, 3072] {
                for k in [768, 2304, 3072] {
                    let gflops = rate(m: m, n: n, k: k, warmup: 1, iterations: iterations)
                    shapes.append(Shape(m: m, n: n, k: k, gflops: gflops, roofFraction: gflops / roof))
                }
            }
        }
        return shapes
    }
}
