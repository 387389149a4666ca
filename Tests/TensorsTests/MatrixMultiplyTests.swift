import Testing
import Tensors

/// GEMM against a Float64 triple loop. Tolerance: each output may differ from the exact value
/// by 1e-6 · Σₖ|aᵢₖ·bₖⱼ| (Float32 accumulation over k terms of magnitude ≤ 1 with a
/// blocked summation order stays well inside that).
@Suite(.serialized) struct MatrixMultiplyTests {
    /// Reference C = α·op(A)·op(B) + β·C0 in Float64, plus the Σ|a·b| bound per element.
    /// Large outputs are checked on a sample of rows and columns (every 7th/5th plus the last),
    /// to keep the debug-build test fast; unsampled entries are NaN and skipped.
    static func reference(a: [Float], aRows: Int, aColumns: Int, transposeA: Bool,
                          b: [Float], bRows: Int, bColumns: Int, transposeB: Bool,
                          c0: [Float], alpha: Double, beta: Double) -> (values: [Double], bounds: [Double]) {
        let m = transposeA ? aColumns : aRows, k = transposeA ? aRows : aColumns
        let n = transposeB ? bRows : bColumns
        var values = [Double](repeating: .nan, count: m * n), bounds = values
        let sampled = m * n * k > 200_000
        for i in 0..<m where !sampled || i % 7 == 0 || i == m - 1 {
            for j in 0..<n where !sampled || j % 5 == 0 || j == n - 1 {
                var sum = 0.0, bound = 0.0
                for p in 0..<k {
                    let x = Double(transposeA ? a[p * aColumns + i] : a[i * aColumns + p])
                    let y = Double(transposeB ? b[j * bColumns + p] : b[p * bColumns + j])
                    sum += x * y
                    bound += abs(x * y)
                }
                values[i * n + j] = alpha * sum + (beta == 0 ? 0 : beta * Double(c0[i * n + j]))
                bounds[i * n + j] = abs(alpha) * bound + abs(beta * Double(c0[i * n + j]))
            }
        }
        return (values, bounds)
    }

    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (1, 3, 7), (3, 7, 1), (7, 3, 5), (13, 197, 3), (197, 64, 197), (197, 197, 64),
        (31, 768, 17), (5, 2304, 768), (197, 33, 768), (1, 768, 3072),
    ]

    @Test(arguments: [GEMMParallelism.threadPool, .openBLASThreads])
    func matchesFloat64ReferenceForAllTranspositions(parallelism: GEMMParallelism) {
        ComputeThreads.configure(gemmParallelism: parallelism)
        defer { ComputeThreads.configure(gemmParallelism: .threadPool) }
        var seed: UInt64 = 1
        for (m, n, k) in Self.shapes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    seed += 1
                    let aShape = transposeA ? [k, m] : [m, k], bShape = transposeB ? [n, k] : [k, n]
                    let a = Tensor.random(aShape, seed: seed), b = Tensor.random(bShape, seed: seed + 1000)
                    let c = Tensor.random([m, n], seed: seed + 2000)
                    let c0 = c.scalars
                    MatrixMultiply.gemm(a.matrix, b.matrix, into: c.mutableMatrix,
                                        transposeA: transposeA, transposeB: transposeB, alpha: 0.75, beta: 0.5)
                    let expected = Self.reference(
                        a: a.scalars, aRows: aShape[0], aColumns: aShape[1], transposeA: transposeA,
                        b: b.scalars, bRows: bShape[0], bColumns: bShape[1], transposeB: transposeB,
                        c0: c0, alpha: 0.75, beta: 0.5)
                    let actual = c.scalars
                    let worst = zip(actual.indices, actual).filter { !expected.values[$0.0].isNaN }.map { index, value in
                        abs(Double(value) - expected.values[index]) / max(expected.bounds[index], 1e-30)
                    }.max() ?? 0
                    #expect(worst <= 1e-6, "m=\(m) n=\(n) k=\(k) tA=\(transposeA) tB=\(transposeB): relative error \(worst)")
                }
            }
        }
    }

    @Test func betaZeroOverwritesEvenNaNAndBetaOneAccumulates() {
        let a = Tensor.random([7, 5], seed: 3), b = Tensor.random([5, 9], seed: 4)
        let overwritten = Tensor(shape: [7, 9], values: [Float](repeating: .nan, count: 63))
        MatrixMultiply.gemm(a.matrix, b.matrix, into: overwritten.mutableMatrix)
        let product = Self.reference(a: a.scalars, aRows: 7, aColumns: 5, transposeA: false,
                                     b: b.scalars, bRows: 5, bColumns: 9, transposeB: false,
                                     c0: overwritten.scalars, alpha: 1, beta: 0).values
        // Tolerance 1e-6 absolute: |a|,|b| ≤ 1 and k = 5.
        #expect(allClose(overwritten.scalars, product, absolute: 1e-6) == true)

        let accumulated = Tensor(shape: [7, 9], values: [Float](repeating: 2, count: 63))
        MatrixMultiply.gemm(a.matrix, b.matrix, into: accumulated.mutableMatrix, beta: 1)
        #expect(allClose(accumulated.scalars, product.map { $0 + 2 }, absolute: 1e-6) == true)
    }

    @Test func emptyInnerDimensionScalesC() {
        let a = Tensor(zeros: [3, 0]), b = Tensor(zeros: [0, 4])
        let c = Tensor(shape: [3, 4], values: [Float](repeating: 3, count: 12))
        MatrixMultiply.gemm(a.matrix, b.matrix, into: c.mutableMatrix, beta: 0.5)
        #expect(c.scalars == [Float](repeating: 1.5, count: 12))
        MatrixMultiply.gemm(a.matrix, b.matrix, into: c.mutableMatrix, beta: 0)
        #expect(c.scalars == [Float](repeating: 0, count: 12))
    }

    @Test func stridedViewsReadAndWriteOnlyTheirColumns() {
        // A [5, 12] buffer holding three 5×4 blocks side by side, as fused QKV heads are stored.
        let packed = Tensor.random([5, 12], seed: 11)
        let b = Tensor.random([4, 3], seed: 12)
        let out = Tensor(shape: [5, 9], values: [Float](repeating: -7, count: 45))
        let a = MatrixView(packed.pointer + 4, rows: 5, columns: 4, leadingDimension: 12)
        let c = MutableMatrixView(out.mutablePointer + 3, rows: 5, columns: 3, leadingDimension: 9)
        MatrixMultiply.gemm(a, b.matrix, into: c)
        let values = out.scalars, source = packed.scalars, weights = b.scalars
        for row in 0..<5 {
            for column in 0..<9 {
                if (3..<6).contains(column) {
                    var sum = 0.0
                    for p in 0..<4 { sum += Double(source[row * 12 + 4 + p]) * Double(weights[p * 3 + column - 3]) }
                    // Tolerance 1e-6: four products of magnitude ≤ 1.
                    #expect(abs(Double(values[row * 9 + column]) - sum) <= 1e-6)
                } else {
                    #expect(values[row * 9 + column] == -7, "column \(column) outside the view was written")
                }
            }
        }
    }

    @Test(arguments: [GEMMParallelism.threadPool, .openBLASThreads])
    func batchedGEMMMatchesSeparateProducts(parallelism: GEMMParallelism) {
        ComputeThreads.configure(gemmParallelism: parallelism)
        defer { ComputeThreads.configure(gemmParallelism: .threadPool) }
        // 12 heads of 197×64 queries against 197×64 keys, as in ViT-B/16 attention, read in
        // place from a [197, 768] buffer.
        let heads = 12, tokens = 197, headSize = 64
        let q = Tensor.random([tokens, heads * headSize], seed: 21)
        let k = Tensor.random([tokens, heads * headSize], seed: 22)
        let scores = Tensor(zeros: [heads, tokens, tokens])
        MatrixMultiply.batchedGEMM(count: heads, transposeB: true, alpha: 0.125) { head in
            .init(a: MatrixView(q.pointer + head * headSize, rows: tokens, columns: headSize,
                                leadingDimension: heads * headSize),
                  b: MatrixView(k.pointer + head * headSize, rows: tokens, columns: headSize,
                                leadingDimension: heads * headSize),
                  c: MutableMatrixView(scores.mutablePointer + head * tokens * tokens, rows: tokens, columns: tokens))
        }
        let qs = q.scalars, ks = k.scalars, actual = scores.scalars
        var worst = 0.0
        for head in [0, 5, 11] {
            for i in stride(from: 0, to: tokens, by: 7) {
                for j in stride(from: 0, to: tokens, by: 5) {
                    var sum = 0.0
                    for p in 0..<headSize {
                        sum += Double(qs[i * 768 + head * headSize + p]) * Double(ks[j * 768 + head * headSize + p])
                    }
                    worst = max(worst, abs(Double(actual[(head * tokens + i) * tokens + j]) - 0.125 * sum))
                }
            }
        }
        // Tolerance 1e-6 absolute: 64 products of magnitude ≤ 1, scaled by 1/8.
        #expect(worst <= 1e-6, "max |Δ| = \(worst)")
    }
}
