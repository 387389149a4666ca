import CKernels
import Testing
@testable import Tensors

/// bfloat16 and int8 products on every instruction set this machine has (AVX512-BF16 / VNNI where
/// present, the emulations otherwise), against references built from the same rounded or quantised
/// values.
@Suite struct ReducedPrecisionGEMMTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (3, 7, 5), (13, 33, 63), (197, 64, 197), (7, 1000, 768), (197, 768, 3072), (26, 35, 2051),
    ]

    /// `value` rounded to bfloat16 (nearest even), as a Float.
    static func bfloat16(_ value: Float) -> Float {
        let bits = value.bitPattern
        return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
    }

    static func product(_ a: Tensor, _ w: Tensor, _ instructionSet: VectorInstructionSet, _ precision: ComputePrecision,
                        epilogue: GEMMEpilogue = .none, pool: ThreadPool? = nil) -> [Float] {
        let m = a.shape[0], k = a.shape[1], n = w.shape[0]
        let packed = PackedMatrix(weight: w.matrix, instructionSet: instructionSet, precision: precision, pool: pool)
        let scratch = Tensor(zeros: [MatrixMultiply.scratchCount(m: m, n: n, k: k, instructionSet: instructionSet,
                                                                 precision: precision)])
        let c = Tensor(shape: [m, n], values: [Float](repeating: .nan, count: m * n))
        MatrixMultiply.multiply(a.matrix, packed.panels, into: c.mutableMatrix, epilogue: epilogue,
                                scratch: scratch.mutablePointer, pool: pool)
        return c.scalars
    }

    @Test(arguments: VectorInstructionSet.supported.filter(\.hasOwnGEMM))
    func bfloat16ProductsSumTheRoundedValuesInFloat32(instructionSet: VectorInstructionSet) {
        for (m, n, k) in Self.shapes {
            let a = Tensor.random([m, k], seed: UInt64(m + k)), w = Tensor.random([n, k], seed: UInt64(n + k))
            let actual = Self.product(a, w, instructionSet, .bfloat16, pool: ThreadPool(threadCount: 2))
            let av = a.scalars.map(Self.bfloat16), wv = w.scalars.map(Self.bfloat16)
            var worst = 0.0
            for i in stride(from: 0, to: m, by: max(1, m / 17)) {
                for j in stride(from: 0, to: n, by: max(1, n / 19)) {
                    var sum = 0.0, bound = 0.0
                    for p in 0..<k { sum += Double(av[i * k + p]) * Double(wv[j * k + p]); bound += abs(Double(av[i * k + p]) * Double(wv[j * k + p])) }
                    worst = max(worst, abs(Double(actual[i * n + j]) - sum) / max(bound, 1e-30))
                }
            }
            // Tolerance as for Float32 products: the bfloat16 products are exact, the sums Float32.
            #expect(worst <= 1e-6, "\(instructionSet) \(m)×\(n)×\(k): relative error \(worst)")
        }
    }

    /// int8 sums are exact integers, so the output is known bit for bit:
    /// Float(Σ (qa − za)·qw) · (row scale · column scale), with both quantisations replicated here:
    /// weights symmetric per column, activations per row over [min(row, 0), max(row, 0)] with a zero
    /// point. Rows of one sign are included, where the zero point sits at an end of the range.
    @Test(arguments: VectorInstructionSet.supported.filter(\.hasOwnGEMM))
    func int8ProductsAreExactIntegerSumsScaled(instructionSet: VectorInstructionSet) {
        func symmetric(_ row: ArraySlice<Float>) -> (values: [Int32], scale: Float) {
            let largest = row.map(abs).max() ?? 0
            let inverse: Float = largest > 0 ? 127 / largest : 0
            return (row.map { Int32(max(-127, min(127, ($0 * inverse).rounded(.toNearestOrEven)))) }, largest / 127)
        }
        func asymmetric(_ row: ArraySlice<Float>) -> (values: [Int32], zeroPoint: Int32, scale: Float) {
            let span = max(row.max() ?? 0, 0) - min(row.min() ?? 0, 0)
            let inverse: Float = span > 0 ? 255 / span : 0
            let zero = inverse > 0 ? (-min(row.min() ?? 0, 0) * inverse).rounded(.toNearestOrEven) : 0
            let values = row.map { Int32(max(0, min(255, ($0 * inverse).rounded(.toNearestOrEven) + zero))) }
            return (values, Int32(zero), span / 255)
        }
        for (m, n, k) in Self.shapes {
            let a = Tensor.random([m, k], in: -3...3, seed: UInt64(m * k)), w = Tensor.random([n, k], seed: UInt64(n * k))
            for row in stride(from: 0, to: m, by: 3) {  // every third row positive, as after GELU
                for p in 0..<k { a.mutablePointer[row * k + p] = abs(a.mutablePointer[row * k + p]) - 0.1 * Float(row % 2) }
            }
            let actual = Self.product(a, w, instructionSet, .int8, pool: ThreadPool(threadCount: 2))
            let av = a.scalars, wv = w.scalars
            let rows = (0..<m).map { asymmetric(av[($0 * k)..<(($0 + 1) * k)]) }
            let columns = (0..<n).map { symmetric(wv[($0 * k)..<(($0 + 1) * k)]) }
            var mismatches = 0
            for i in 0..<m {
                for j in stride(from: 0, to: n, by: max(1, n / 23)) {
                    var sum: Int32 = 0
                    for p in 0..<k { sum += (rows[i].values[p] - rows[i].zeroPoint) * columns[j].values[p] }
                    let expected = Float(sum) * (rows[i].scale * columns[j].scale)
                    if actual[i * n + j].bitPattern != expected.bitPattern { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "\(instructionSet) \(m)×\(n)×\(k): \(mismatches) outputs differ")
        }
    }

    /// The native kernels and the emulations (AVX2 here, or AVX-512 without BF16/VNNI), any thread
    /// split and the fused epilogue give the same bits.
    @Test(arguments: [ComputePrecision.bfloat16, .int8])
    func everyInstructionSetAndSplitGivesTheSameBits(precision: ComputePrecision) {
        let sets = VectorInstructionSet.supported.filter(\.hasOwnGEMM)
        let a = Tensor.random([197, 768], seed: 5), w = Tensor.random([1000, 768], seed: 6)
        let bias = Tensor.random([1000], seed: 7)
        let epilogue = GEMMEpilogue(alpha: 0.5, bias: bias.pointer, activation: .gelu)
        var results: [[UInt32]] = []
        for instructionSet in sets {
            results.append(Self.product(a, w, instructionSet, precision, epilogue: epilogue).map(\.bitPattern))
            results.append(Self.product(a, w, instructionSet, precision, epilogue: epilogue,
                                        pool: ThreadPool(threadCount: 3)).map(\.bitPattern))
        }
        #expect(results.allSatisfy { $0 == results.first }, "\(precision): \(sets) × 1 and 3 threads differ")
    }

    @Test func rowsWithNaNGiveNaNAndZeroRowsGiveTheBias() {
        let a = Tensor(shape: [3, 5], values: [1, .nan, 2, 3, 4, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5])
        let w = Tensor.random([4, 5], seed: 9), bias = Tensor(shape: [4], values: [1, 2, 3, 4])
        for instructionSet in VectorInstructionSet.supported.filter(\.hasOwnGEMM) {
            for precision in [ComputePrecision.bfloat16, .int8] {
                let c = Self.product(a, w, instructionSet, precision, epilogue: GEMMEpilogue(bias: bias.pointer))
                #expect(c[0..<4].allSatisfy { $0.isNaN }, "\(instructionSet) \(precision)")
                #expect(Array(c[4..<8]) == [1, 2, 3, 4], "\(instructionSet) \(precision)")
                #expect(c[8..<12].allSatisfy { $0.isFinite }, "\(instructionSet) \(precision)")
            }
        }
    }

    /// The vectorised per-family packing of bfloat16 panels (attention packs every head's keys and
    /// values with it) writes the portable `ck_pack_b_bf16`'s words, padding included: B and Bᵀ, odd
    /// K and N, partial last panels, values that round up, ties, NaN, ±∞ and subnormals.
    @Test(arguments: VectorInstructionSet.supported.filter(\.hasOwnGEMM))
    func vectorisedBFloat16PanelsMatchThePortablePacking(instructionSet: VectorInstructionSet) {
        let specials: [Float] = [.nan, .infinity, -.infinity, 1.00390625, 1.01171875, -0.0, 1e-40,
                                 Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000), .greatestFiniteMagnitude]
        for (rows, columns) in [(1, 1), (3, 5), (64, 197), (197, 64), (33, 47), (2, 100), (769, 33)] {
            for transposed in [false, true] {
                // The source as given: rows × columns, rows 7 floats longer than they need to be.
                let stride = columns + 7
                var values = Tensor.random([rows, stride], seed: UInt64(rows * 31 + columns)).scalars
                for (index, special) in specials.enumerated() where index * 97 < values.count {
                    values[(index * 97) % values.count] = special
                }
                let source = Tensor(shape: [rows, stride], values: values)
                let view = MatrixView(source.pointer, rows: rows, columns: columns, leadingDimension: stride)
                let k = transposed ? columns : rows, n = transposed ? rows : columns
                let width = PackedPanels.panelWidth(instructionSet)
                let count = PackedPanels.floatCount(rows: k, columns: n, instructionSet: instructionSet,
                                                    precision: .bfloat16)
                let packed = Tensor(zeros: [count]), reference = Tensor(zeros: [count])
                _ = PackedPanels.pack(view, transposed: transposed, instructionSet: instructionSet, precision: .bfloat16,
                                      into: packed.mutablePointer, pool: ThreadPool(threadCount: 3))
                UnsafeMutableRawPointer(reference.mutablePointer).withMemoryRebound(to: UInt32.self, capacity: count) {
                    ck_pack_b_bf16(source.pointer, stride, transposed ? 1 : 0, k, n, width, 0, (n + width - 1) / width, $0)
                }
                let mismatches = zip(packed.scalars, reference.scalars).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(mismatches == 0, "\(instructionSet) \(rows)×\(columns) transposed \(transposed): \(mismatches) words differ")
            }
        }
    }
}
