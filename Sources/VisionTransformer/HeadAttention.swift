import Tensors

/// Scores → softmax → weighted values for every (image, head) pair: `softmax(Q·Kᵀ/√d)·V`.
///
/// Each pair runs back to back on one thread while its `queries × tokens` score block is in cache;
/// pairs are spread over the pool by each thread's measured speed (a pair's result does not depend
/// on which thread computes it). A pair packs its head's keys and values for the GEMM kernels into
/// its thread's slice of the scratch memory (`tokens × headSize` floats each: little next to the
/// `2·queries·tokens·headSize` multiply-adds that use them). In a bfloat16 pass both products run
/// on the bfloat16 kernel: keys and values are packed as bfloat16, and the softmax writes the
/// probabilities straight into `P·V`'s packed rows.
struct HeadAttention: BalancedParallelWork {
    /// `batch × tokens` rows of `[Q | K | V]`.
    let queryKeyValue: MatrixView
    /// `batch × queriesPerImage` rows of `width`: every head's output side by side.
    let context: MutableMatrixView
    let heads: Int
    let headSize: Int
    let tokens: Int
    /// All tokens, or only the CLS token (the last layer).
    let queriesPerImage: Int
    let pairs: Int
    let scratch: AttentionScratch
    let instructionSet: VectorInstructionSet
    /// The number format of the two products (Float32, or bfloat16 in a bfloat16 pass).
    let precision: ComputePrecision

    var units: Int { pairs }

    func run(units: Range<Int>, part: Int) {
        let width = heads * headSize, stride = queryKeyValue.leadingDimension
        let slice = scratch.slice(part)
        for pair in units {
            let image = pair / heads, column = (pair % heads) * headSize
            let rows = queryKeyValue.base + image * tokens * stride
            // The CLS token is row 0 of an image, so the first `queriesPerImage` rows are the queries.
            let queries = MatrixView(rows + column, rows: queriesPerImage, columns: headSize, leadingDimension: stride)
            let keys = MatrixView(rows + width + column, rows: tokens, columns: headSize, leadingDimension: stride)
            let values = MatrixView(rows + 2 * width + column, rows: tokens, columns: headSize, leadingDimension: stride)
            let scores = MutableMatrixView(slice.scores, rows: queriesPerImage, columns: tokens)
            let packedKeys = PackedPanels.pack(keys, transposed: true, instructionSet: instructionSet,
                                               precision: precision, into: slice.keys)
            MatrixMultiply.multiply(queries, packedKeys, into: scores,
                                    epilogue: GEMMEpilogue(alpha: 1 / Float(headSize).squareRoot()),
                                    scratch: slice.packedRows)
            let packedValues = PackedPanels.pack(values, transposed: false, instructionSet: instructionSet,
                                                 precision: precision, into: slice.values)
            let out = MutableMatrixView(context.base + image * queriesPerImage * context.leadingDimension + column,
                                        rows: queriesPerImage, columns: headSize,
                                        leadingDimension: context.leadingDimension)
            if precision == .bfloat16 {
                // The softmax writes the probabilities as P·V's packed rows (over the packed queries,
                // dead once the scores exist).
                let words = UnsafeMutableRawPointer(slice.packedRows).assumingMemoryBound(to: UInt32.self)
                let probabilities = PackedRows(words, rows: queriesPerImage, columns: tokens,
                                               instructionSet: instructionSet)
                Kernels.softmaxRows(slice.scores, stride: tokens, into: probabilities)
                MatrixMultiply.multiply(probabilities, packedValues, into: out)
            } else {
                Kernels.softmaxRows(slice.scores, rows: queriesPerImage, count: tokens, stride: tokens,
                                    instructionSet: instructionSet)
                MatrixMultiply.multiply(scores.readOnly, packedValues, into: out, scratch: slice.packedRows)
            }
        }
    }
}

/// Per-thread scratch of ``HeadAttention``: a score block, one head's packed keys and values, and
/// the product's packed rows of A (bfloat16 products round their A into strips).
struct AttentionScratch {
    let base: UnsafeMutablePointer<Float>
    let scoresCount: Int
    let keysCount: Int
    let valuesCount: Int
    let packedRowsCount: Int

    init(base: UnsafeMutablePointer<Float>, tokens: Int, headSize: Int, queryStride: Int,
         instructionSet: VectorInstructionSet, precision: ComputePrecision) {
        self.base = base
        scoresCount = Self.aligned(tokens * tokens)
        keysCount = Self.aligned(PackedPanels.floatCount(rows: headSize, columns: tokens, instructionSet: instructionSet,
                                                         precision: precision))
        valuesCount = Self.aligned(PackedPanels.floatCount(rows: tokens, columns: headSize,
                                                           instructionSet: instructionSet, precision: precision))
        packedRowsCount = Self.aligned(max(
            MatrixMultiply.scratchCount(m: tokens, n: tokens, k: headSize, leadingDimension: queryStride,
                                        instructionSet: instructionSet, precision: precision),
            MatrixMultiply.scratchCount(m: tokens, n: headSize, k: tokens, leadingDimension: tokens,
                                        instructionSet: instructionSet, precision: precision)))
    }

    /// Floats per thread.
    var perThread: Int { scoresCount + keysCount + valuesCount + packedRowsCount }

    /// Floats for `threads` threads.
    static func count(threads: Int, tokens: Int, headSize: Int, queryStride: Int, instructionSet: VectorInstructionSet,
                      precision: ComputePrecision) -> Int {
        threads * AttentionScratch(base: UnsafeMutablePointer(bitPattern: 64)!, tokens: tokens, headSize: headSize,
                                   queryStride: queryStride, instructionSet: instructionSet,
                                   precision: precision).perThread
    }

    func slice(_ part: Int) -> (scores: UnsafeMutablePointer<Float>, keys: UnsafeMutablePointer<Float>,
                                values: UnsafeMutablePointer<Float>, packedRows: UnsafeMutablePointer<Float>) {
        let start = base + part * perThread
        return (start, start + scoresCount, start + scoresCount + keysCount,
                start + scoresCount + keysCount + valuesCount)
    }

    /// Rounds up to 16 floats so every slice stays 64-byte aligned.
    private static func aligned(_ count: Int) -> Int { (count + 15) / 16 * 16 }
}
