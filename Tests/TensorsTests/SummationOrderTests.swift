import Testing
import Tensors

/// Our GEMM sums every output element in one documented order (Sources/CKernels/include/ck_gemm.h): k in
/// blocks of 256, each block from zero with one fused multiply-add per k, each block added to the running
/// total, then × α. A scalar model of that order gives the same bits on every instruction set, thread count
/// and shape, with block boundaries that fall mid-tile (K = 257 … 3100), so any change to the loops (a
/// different blocking, K cut into chunks) must keep every output's sum as it is.
@Suite struct SummationOrderTests {
    /// `α · Σₖ a[i,k]·w[j,k]` for w given as n × k (a linear layer's weight), in the kernels' order.
    static func orderedProduct(_ a: [Float], _ w: [Float], m: Int, n: Int, k: Int, alpha: Float) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var total: Float = 0
                var block = 0
                repeat {
                    var sum: Float = 0
                    for p in block..<min(block + 256, k) { sum = sum.addingProduct(a[i * k + p], w[j * k + p]) }
                    total = block == 0 ? sum : total + sum
                    block += 256
                } while block < k
                c[i * n + j] = total * alpha
            }
        }
        return c
    }

    @Test(arguments: VectorInstructionSet.supported.filter(\.hasOwnGEMM))
    func everyOutputFollowsTheDocumentedOrder(instructionSet: VectorInstructionSet) {
        let pool = ThreadPool(threadCount: 3)
        let shapes = [(3, 3, 1), (5, 16, 256), (12, 32, 768), (29, 70, 769), (197, 64, 1000), (1, 40, 3072),
                      (13, 35, 2053), (30, 33, 3100), (25, 100, 1537),
                      // A packed (rows 2048 floats apart) and a last panel of one vector or less.
                      (7, 40, 2048), (197, 197, 1024)]
        for (index, (m, n, k)) in shapes.enumerated() {
            let a = Tensor.random([m, k], seed: UInt64(10 + index)), w = Tensor.random([n, k], seed: UInt64(50 + index))
            let packed = Tensor(zeros: [PackedPanels.floatCount(rows: k, columns: n, instructionSet: instructionSet)])
            let panels = PackedPanels.pack(w.matrix, transposed: true, instructionSet: instructionSet,
                                           into: packed.mutablePointer, pool: pool)
            let scratch = Tensor(zeros: [max(1, MatrixMultiply.scratchCount(m: m, n: n, k: k, instructionSet: instructionSet))])
            let expected = Self.orderedProduct(a.scalars, w.scalars, m: m, n: n, k: k, alpha: 0.75)
            for threads in [nil, pool] {
                let c = Tensor(shape: [m, n], values: [Float](repeating: .nan, count: m * n))
                MatrixMultiply.multiply(a.matrix, panels, into: c.mutableMatrix, epilogue: GEMMEpilogue(alpha: 0.75),
                                        scratch: scratch.mutablePointer, pool: threads)
                let mismatches = zip(c.scalars, expected).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                #expect(mismatches == 0, "\(instructionSet) \(m)×\(n)×\(k), \(threads == nil ? 1 : 3) threads")
            }
        }
    }
}
