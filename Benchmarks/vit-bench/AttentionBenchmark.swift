import Tensors

/// One attention head's two products (ViT-B/16: 197 queries, 197 keys, 64 dims) on one thread, as
/// the forward pass runs them: ours, packing the head's keys and values first (included in the
/// time), against OpenBLAS reading them in place. Decides which the attention should use.
enum AttentionBenchmark {
    struct Entry: Encodable {
        let product: String
        let ours: Double
        let openBLAS: Double

        enum CodingKeys: String, CodingKey {
            case product, ours = "ours_microseconds", openBLAS = "openblas_microseconds"
        }
    }

    static func run(instructionSet: VectorInstructionSet, iterations: Int) -> [Entry] {
        guard instructionSet.hasOwnGEMM else { return [] }
        let tokens = 197, head = 64, width = 768
        // Q, K and V of 12 heads side by side, as the fused QKV GEMM writes them.
        let qkv = Tensor.random(rows: tokens, columns: 3 * width)
        let scores = Tensor(zeros: [tokens, tokens]), context = Tensor(zeros: [tokens, width])
        let packedKeys = Tensor(zeros: [PackedPanels.floatCount(rows: head, columns: tokens, instructionSet: instructionSet)])
        let packedValues = Tensor(zeros: [PackedPanels.floatCount(rows: tokens, columns: head,
                                                                   instructionSet: instructionSet)])
        let q = MatrixView(qkv.pointer, rows: tokens, columns: head, leadingDimension: 3 * width)
        let k = MatrixView(qkv.pointer + width, rows: tokens, columns: head, leadingDimension: 3 * width)
        let v = MatrixView(qkv.pointer + 2 * width, rows: tokens, columns: head, leadingDimension: 3 * width)
        let out = MutableMatrixView(context.mutablePointer, rows: tokens, columns: head, leadingDimension: width)
        func time(_ body: () -> Void) -> Double {
            Timings(measure(warmup: 3, iterations: iterations * 20, body)).median * 1e6
        }
        let scale = 1 / Float(head).squareRoot()
        let oursScores = time {
            let keys = PackedPanels.pack(k, transposed: true, instructionSet: instructionSet, into: packedKeys.mutablePointer)
            MatrixMultiply.multiply(q, keys, into: scores.mutableMatrix, epilogue: GEMMEpilogue(alpha: scale))
        }
        let blasScores = time {
            MatrixMultiply.openBLAS(q, k, into: scores.mutableMatrix, transposeB: true, alpha: scale)
        }
        let oursValues = time {
            let values = PackedPanels.pack(v, transposed: false, instructionSet: instructionSet,
                                           into: packedValues.mutablePointer)
            MatrixMultiply.multiply(scores.matrix, values, into: out)
        }
        let blasValues = time { MatrixMultiply.openBLAS(scores.matrix, v, into: out) }
        return [Entry(product: "scores Q·Kᵀ 197×197×64", ours: oursScores, openBLAS: blasScores),
                Entry(product: "context P·V 197×64×197", ours: oursValues, openBLAS: blasValues)]
    }
}

extension Tensor {
    /// A `rows × columns` tensor of values in [−1, 1) from a fixed sequence.
    static func random(rows: Int, columns: Int) -> Tensor {
        let tensor = Tensor(zeros: [rows, columns])
        var state: UInt32 = 2_463_534_242
        for index in 0..<tensor.count {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            tensor.mutablePointer[index] = Float(state >> 8) / Float(1 << 23) - 1
        }
        return tensor
    }
}
