import Testing
import Tensors

/// Our GEMM (every instruction set this machine has, OpenBLAS for the baseline) and OpenBLAS's
/// reference call against a Float64 triple loop. Tolerance: each output may differ from the exact
/// value by 1e-6 · Σₖ|aᵢₖ·bₖⱼ| (Float32 accumulation over k terms of magnitude ≤ 1, in order,
/// stays well inside that).
@Suite struct MatrixMultiplyTests {
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

    /// Every ViT shape and awkward ones: M = 1, 7, 197, 1576; N and K not multiples of any tile.
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (1, 3, 7), (3, 7, 1), (7, 3, 5), (13, 197, 3), (197, 64, 197), (197, 197, 64),
        (31, 768, 17), (5, 2304, 768), (197, 33, 768), (1, 768, 3072), (7, 1000, 768), (197, 768, 3072),
        (1576, 129, 77), (13, 35, 2053),
    ]

    /// The worst |actual − exact| / Σ|a·b| over the sampled entries.
    static func worstRelativeError(_ actual: [Float], _ expected: (values: [Double], bounds: [Double])) -> Double {
        zip(actual.indices, actual).filter { !expected.values[$0.0].isNaN }.map { index, value in
            abs(Double(value) - expected.values[index]) / max(expected.bounds[index], 1e-30)
        }.max() ?? 0
    }

    @Test(arguments: VectorInstructionSet.supported)
    func packedProductsMatchFloat64Reference(instructionSet: VectorInstructionSet) {
        let pool = ThreadPool(threadCount: 3)
        var seed: UInt64 = 1
        for (m, n, k) in Self.shapes {
            for transposed in [true, false] {
                seed += 1
                // B given as Bᵀ (n × k, a linear layer's weight) or as B itself (k × n, attention's values).
                let a = Tensor.random([m, k], seed: seed), b = Tensor.random(transposed ? [n, k] : [k, n], seed: seed + 99)
                let packed = Tensor(zeros: [PackedPanels.floatCount(rows: k, columns: n, instructionSet: instructionSet)])
                let panels = PackedPanels.pack(b.matrix, transposed: transposed, instructionSet: instructionSet,
                                               into: packed.mutablePointer, pool: pool)
                let scratch = Tensor(zeros: [max(1, MatrixMultiply.scratchCount(m: m, n: n, k: k,
                                                                                  instructionSet: instructionSet))])
                let c = Tensor(shape: [m, n], values: [Float](repeating: .nan, count: m * n))
                MatrixMultiply.multiply(a.matrix, panels, into: c.mutableMatrix, epilogue: GEMMEpilogue(alpha: 0.75),
                                        scratch: scratch.mutablePointer, pool: seed % 2 == 0 ? pool : nil)
                let expected = Self.reference(a: a.scalars, aRows: m, aColumns: k, transposeA: false,
                                              b: b.scalars, bRows: transposed ? n : k, bColumns: transposed ? k : n,
                                              transposeB: transposed, c0: c.scalars, alpha: 0.75, beta: 0)
                let worst = Self.worstRelativeError(c.scalars, expected)
                #expect(worst <= 1e-6, "\(instructionSet) m=\(m) n=\(n) k=\(k) transposed=\(transposed): relative error \(worst)")
            }
        }
    }

    /// `act(α·A·B + bias) + residual` in the output stage equals the plain product finished by the
    /// separate epilogue pass, bit for bit (the same operations in the same order), including a
    /// residual that is the output itself.
    @Test(arguments: VectorInstructionSet.supported)
    func fusedEpiloguesEqualTheSeparatePass(instructionSet: VectorInstructionSet) {
        for (m, n, k) in [(197, 768, 768), (7, 1000, 33), (13, 40, 3072)] {
            let a = Tensor.random([m, k], seed: 31), w = Tensor.random([n, k], in: -0.1...0.1, seed: 32)
            let bias = Tensor.random([n], seed: 33), residual = Tensor.random([m, n], seed: 34)
            let weights = PackedMatrix(weight: w.matrix, instructionSet: instructionSet)
            let scratch = Tensor(zeros: [max(1, MatrixMultiply.scratchCount(m: m, n: n, k: k, instructionSet: instructionSet))])
            let plain = Tensor(zeros: [m, n])
            MatrixMultiply.multiply(a.matrix, weights.panels, into: plain.mutableMatrix, scratch: scratch.mutablePointer)
            for activation in [nil, Activation.gelu, .silu] {
                let fused = residual.copy()
                let epilogue = GEMMEpilogue(alpha: 0.5, bias: bias.pointer, activation: activation,
                                            residual: activation == nil ? fused.matrix : nil)
                MatrixMultiply.multiply(a.matrix, weights.panels, into: fused.mutableMatrix, epilogue: epilogue,
                                        scratch: scratch.mutablePointer)
                let separate = residual.copy()
                Kernels.applyEpilogue(GEMMEpilogue(alpha: 0.5, bias: bias.pointer, activation: activation,
                                                   residual: activation == nil ? separate.matrix : nil),
                                      to: plain.matrix, into: separate.mutableMatrix, instructionSet: instructionSet)
                if instructionSet.hasOwnGEMM {
                    #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern),
                            "\(instructionSet) \(m)×\(n)×\(k) \(activation.map { "\($0)" } ?? "residual")")
                } else {
                    // OpenBLAS: the same pass after its product, so equal within the product's rounding.
                    #expect(zip(fused.scalars, separate.scalars).allSatisfy { abs($0 - $1) <= 1e-5 })
                }
            }
        }
    }

    @Test func betaZeroOverwritesEvenNaNAndBetaOneAccumulates() {
        let a = Tensor.random([7, 5], seed: 3), b = Tensor.random([5, 9], seed: 4)
        let overwritten = Tensor(shape: [7, 9], values: [Float](repeating: .nan, count: 63))
        MatrixMultiply.openBLAS(a.matrix, b.matrix, into: overwritten.mutableMatrix)
        let product = Self.reference(a: a.scalars, aRows: 7, aColumns: 5, transposeA: false,
                                     b: b.scalars, bRows: 5, bColumns: 9, transposeB: false,
                                     c0: overwritten.scalars, alpha: 1, beta: 0).values
        // Tolerance 1e-6 absolute: |a|,|b| ≤ 1 and k = 5.
        #expect(allClose(overwritten.scalars, product, absolute: 1e-6) == true)

        let accumulated = Tensor(shape: [7, 9], values: [Float](repeating: 2, count: 63))
        MatrixMultiply.openBLAS(a.matrix, b.matrix, into: accumulated.mutableMatrix, beta: 1)
        #expect(allClose(accumulated.scalars, product.map { $0 + 2 }, absolute: 1e-6) == true)
    }

    @Test func emptyInnerDimensionScalesC() {
        let a = Tensor(zeros: [3, 0]), b = Tensor(zeros: [0, 4])
        let c = Tensor(shape: [3, 4], values: [Float](repeating: 3, count: 12))
        MatrixMultiply.openBLAS(a.matrix, b.matrix, into: c.mutableMatrix, beta: 0.5)
        #expect(c.scalars == [Float](repeating: 1.5, count: 12))
        MatrixMultiply.openBLAS(a.matrix, b.matrix, into: c.mutableMatrix, beta: 0)
        #expect(c.scalars == [Float](repeating: 0, count: 12))
    }

    @Test func stridedViewsReadAndWriteOnlyTheirColumns() {
        // A [5, 12] buffer holding three 5×4 blocks side by side, as fused QKV heads are stored.
        let packed = Tensor.random([5, 12], seed: 11)
        let b = Tensor.random([4, 3], seed: 12)
        let out = Tensor(shape: [5, 9], values: [Float](repeating: -7, count: 45))
        let a = MatrixView(packed.pointer + 4, rows: 5, columns: 4, leadingDimension: 12)
        let c = MutableMatrixView(out.mutablePointer + 3, rows: 5, columns: 3, leadingDimension: 9)
        MatrixMultiply.openBLAS(a, b.matrix, into: c)
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
}
