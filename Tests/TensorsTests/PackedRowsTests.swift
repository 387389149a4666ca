import CKernels
import Testing
@testable import Tensors

/// Rows packed by the step that produces them (LayerNorm, a product's epilogue) are the words that
/// packing the Float32 rows gives, and products over them have the bits of products over the rows:
/// a bfloat16 pass that fuses its packing computes exactly what one that packs would.
@Suite struct PackedRowsTests {
    static let instructionSets = VectorInstructionSet.supported.filter(\.hasOwnGEMM)

    /// `a` packed the way a bfloat16 product packs its A (`*_pack_a_bf16`), as words.
    static func packed(_ a: MatrixView, _ instructionSet: VectorInstructionSet) -> [UInt32] {
        let count = PackedRows.wordCount(rows: a.rows, columns: a.columns, instructionSet: instructionSet)
        var words = [UInt32](repeating: 0xDEAD_BEEF, count: max(1, count))
        let strips = (a.rows + PackedRows.stripHeight(instructionSet) - 1) / PackedRows.stripHeight(instructionSet)
        words.withUnsafeMutableBufferPointer {
            if instructionSet == .avx512 {
                ck_avx512_pack_a_bf16(a.base, a.leadingDimension, a.rows, a.columns, 0, strips, $0.baseAddress)
            } else {
                ck_avx2_pack_a_bf16(a.base, a.leadingDimension, a.rows, a.columns, 0, strips, $0.baseAddress)
            }
        }
        return Array(words.prefix(count))
    }

    static func scratch(_ m: Int, _ n: Int, _ k: Int, _ instructionSet: VectorInstructionSet) -> Tensor {
        Tensor(zeros: [max(1, MatrixMultiply.scratchCount(m: m, n: n, k: k, instructionSet: instructionSet,
                                                          precision: .bfloat16))])
    }

    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (5, 33, 7), (13, 47, 64), (197, 64, 197),
                                                     (25, 3072, 768), (30, 768, 3071)]

    @Test(arguments: instructionSets)
    func productsOverPackedRowsHaveTheBitsOfProductsOverTheRows(instructionSet: VectorInstructionSet) {
        for (m, n, k) in Self.shapes {
            let a = Tensor.random([m, k], seed: UInt64(m * 7 + k)), w = Tensor.random([n, k], seed: UInt64(n + k))
            let bias = Tensor.random([n], seed: 3), residual = Tensor.random([m, n], seed: 4)
            let weights = PackedMatrix(weight: w.matrix, instructionSet: instructionSet, precision: .bfloat16)
            let epilogue = GEMMEpilogue(bias: bias.pointer, activation: .gelu, residual: residual.matrix)
            let pool = ThreadPool(threadCount: 3)
            let expected = Tensor(zeros: [m, n]), scratch = Self.scratch(m, n, k, instructionSet)
            MatrixMultiply.multiply(a.matrix, weights.panels, into: expected.mutableMatrix, epilogue: epilogue,
                                    scratch: scratch.mutablePointer, pool: pool)

            var words = Self.packed(a.matrix, instructionSet)
            let actual = Tensor(zeros: [m, n])
            words.withUnsafeMutableBufferPointer {
                let rows = PackedRows($0.baseAddress!, rows: m, columns: k, instructionSet: instructionSet)
                MatrixMultiply.multiply(rows, weights.panels, into: actual.mutableMatrix, epilogue: epilogue, pool: pool)
            }
            #expect(actual.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern),
                    "\(instructionSet) \(m)×\(n)×\(k)")

            // Stored as packed rows: the words packing the Float32 result gives, padding rows cleared.
            var output = [UInt32](repeating: 0xFFFF_FFFF,
                                  count: PackedRows.wordCount(rows: m, columns: n, instructionSet: instructionSet))
            words.withUnsafeMutableBufferPointer { input in
                output.withUnsafeMutableBufferPointer {
                    let rows = PackedRows(input.baseAddress!, rows: m, columns: k, instructionSet: instructionSet)
                    let into = PackedRows($0.baseAddress!, rows: m, columns: n, instructionSet: instructionSet)
                    MatrixMultiply.multiply(rows, weights.panels, intoPacked: into, epilogue: epilogue, pool: pool)
                }
            }
            #expect(output == Self.packed(expected.matrix, instructionSet), "\(instructionSet) \(m)×\(n)×\(k) packed")
        }
    }

    @Test(arguments: instructionSets)
    func layerNormIntoPackedRowsGivesThePackedLayerNorm(instructionSet: VectorInstructionSet) {
        for (rows, columns) in [(1, 1), (3, 7), (13, 768), (197, 64), (25, 1001)] {
            var values = Tensor.random([rows, columns + 3], seed: UInt64(rows + columns)).scalars
            values[0] = 1e4  // a large row mean, the statistics' hard case
            let input = Tensor(shape: [rows, columns + 3], values: values)
            let view = MatrixView(input.pointer, rows: rows, columns: columns, leadingDimension: columns + 3)
            let weight = Tensor.random([columns], seed: 5), bias = Tensor.random([columns], seed: 6)
            let normalized = Tensor(zeros: [rows, columns])
            Kernels.layerNorm(view, weight: weight.pointer, bias: bias.pointer, epsilon: 1e-12,
                              into: normalized.mutableMatrix, instructionSet: instructionSet)
            var words = [UInt32](repeating: 0xFFFF_FFFF,
                                 count: PackedRows.wordCount(rows: rows, columns: columns, instructionSet: instructionSet))
            words.withUnsafeMutableBufferPointer {
                let output = PackedRows($0.baseAddress!, rows: rows, columns: columns, instructionSet: instructionSet)
                Kernels.layerNorm(view, weight: weight.pointer, bias: bias.pointer, epsilon: 1e-12, into: output,
                                  pool: ThreadPool(threadCount: 3))
            }
            #expect(words == Self.packed(normalized.matrix, instructionSet), "\(instructionSet) \(rows)×\(columns)")
        }
    }

    /// The softmax writing attention's probabilities as packed rows gives the words packing its
    /// Float32 output would: odd widths, a row holding NaN (all NaN, its padding still 0), a row with −∞.
    @Test(arguments: instructionSets)
    func softmaxIntoPackedRowsGivesThePackedSoftmax(instructionSet: VectorInstructionSet) {
        for (rows, count) in [(1, 1), (5, 3), (12, 197), (197, 197), (14, 50)] {
            var values = Tensor.random([rows, count], seed: UInt64(rows * 5 + count)).scalars.map { $0 * 20 }
            if rows > 3 {
                values[count + count / 2] = .nan
                values[2 * count] = -.infinity
            }
            let expected = Tensor(shape: [rows, count], values: values)
            Kernels.softmaxRows(expected.mutablePointer, rows: rows, count: count, stride: count,
                                instructionSet: instructionSet)
            var scores = values
            var words = [UInt32](repeating: 0xFFFF_FFFF,
                                 count: PackedRows.wordCount(rows: rows, columns: count, instructionSet: instructionSet))
            scores.withUnsafeMutableBufferPointer { scores in
                words.withUnsafeMutableBufferPointer {
                    let probabilities = PackedRows($0.baseAddress!, rows: rows, columns: count,
                                                   instructionSet: instructionSet)
                    Kernels.softmaxRows(scores.baseAddress!, stride: count, into: probabilities)
                }
            }
            #expect(words == Self.packed(expected.matrix, instructionSet), "\(instructionSet) \(rows)×\(count)")
        }
    }
}
