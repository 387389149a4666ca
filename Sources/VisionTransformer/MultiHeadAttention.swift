import Tensors

/// Multi-head scaled dot-product self-attention with its output projection (`ViTAttention`:
/// `attention.attention.{query,key,value}` and `attention.output.dense`).
///
/// Q, K and V are three GEMMs over the whole batch (`batch × tokens` rows), then each
/// (image, head) pair runs scores → softmax → weighted values back to back on one thread while
/// its `tokens × tokens` score block is still in cache; pairs are spread over the pool. The
/// `1/√headSize` scale rides on the score GEMM's α, so it costs nothing.
public struct MultiHeadAttention: Sendable {
    /// `attention.attention.query`.
    public let query: Linear
    /// `attention.attention.key`.
    public let key: Linear
    /// `attention.attention.value`.
    public let value: Linear
    /// `attention.output.dense`.
    public let output: Linear
    let heads: Int
    let headSize: Int

    init(_ binder: WeightBinder, geometry: ModelGeometry, qkvBias: Bool) {
        let width = geometry.width
        let projections = binder.scoped("attention")
        query = Linear(projections.scoped("query"), inputFeatures: width, outputFeatures: width, hasBias: qkvBias)
        key = Linear(projections.scoped("key"), inputFeatures: width, outputFeatures: width, hasBias: qkvBias)
        value = Linear(projections.scoped("value"), inputFeatures: width, outputFeatures: width, hasBias: qkvBias)
        output = Linear(binder.scoped("output").scoped("dense"), inputFeatures: width, outputFeatures: width)
        heads = geometry.heads
        headSize = geometry.headSize
    }

    /// Attends from `queryInput` rows to all `normed` rows of the same image and accumulates the
    /// projected result onto `residual` (without the output bias, which the following
    /// residual + LayerNorm pass adds).
    ///
    /// - Parameters:
    ///   - normed: the LayerNorm-ed hidden states, `batch × tokens` rows.
    ///   - queryInput: the rows that need an output, `queriesPerImage` per image (all tokens, or
    ///     only the CLS token in the last layer).
    ///   - residual: the hidden-state rows matching `queryInput`.
    func callAsFunction(normed: MatrixView, queryInput: MatrixView, batch: Int, tokens: Int,
                        queriesPerImage: Int, residual: MutableMatrixView,
                        workspace: Workspace, profile: StageProfile?) {
        let width = heads * headSize
        let queries = workspace.matrix(rows: batch * queriesPerImage, columns: width)
        let keys = workspace.matrix(rows: batch * tokens, columns: width)
        let values = workspace.matrix(rows: batch * tokens, columns: width)
        profile.measure(.qkv) {
            // Three GEMMs rather than one over a concatenated [3·width, width] weight: OpenBLAS
            // runs a 1152-column slice at the same per-thread rate as a 384-column one (83.7 vs
            // 83.5 GFLOP/s, measured), so fusing would gain nothing and would copy the
            // memory-mapped F32 weights (7 MB per ViT-B layer).
            func project(_ projection: Linear, _ input: MatrixView, into result: MutableMatrixView) {
                let hasBias = projection.bias != nil
                if hasBias { projection.fillWithBias(result) }
                projection.multiply(input, into: result, accumulate: hasBias, workspace: workspace)
            }
            project(query, queryInput, into: queries)
            project(key, normed, into: keys)
            project(value, normed, into: values)
        }
        let context = workspace.matrix(rows: batch * queriesPerImage, columns: width)
        let pool = ComputeThreads.pool
        let scratch = workspace.buffer(pool.threadCount * queriesPerImage * tokens)
        profile.measure(.attention) {
            let work = HeadAttention(queries: queries.readOnly, keys: keys.readOnly, values: values.readOnly,
                                     context: context, scratch: scratch, heads: heads, headSize: headSize,
                                     tokens: tokens, queriesPerImage: queriesPerImage, pairs: batch * heads)
            if ComputeThreads.gemmParallelism == .threadPool {
                pool.runBalanced(work)
            } else {
                work.run(units: 0..<work.units, part: 0)
            }
        }
        profile.measure(.outputProjection) {
            output.multiply(context.readOnly, into: residual, accumulate: true, workspace: workspace)
        }
    }
}

/// Scores → softmax → weighted values for every (image, head) pair, pairs split across threads
/// by their measured speed; each thread keeps its `queries × tokens` score block in its own
/// slice of `scratch`.
private struct HeadAttention: BalancedParallelWork {
    let queries: MatrixView
    let keys: MatrixView
    let values: MatrixView
    let context: MutableMatrixView
    let scratch: UnsafeMutablePointer<Float>
    let heads: Int
    let headSize: Int
    let tokens: Int
    let queriesPerImage: Int
    let pairs: Int

    var units: Int { pairs }

    func run(units: Range<Int>, part: Int) {
        let scores = scratch + part * queriesPerImage * tokens
        let scale = 1 / Float(headSize).squareRoot()
        let width = heads * headSize
        for pair in units {
            let image = pair / heads, column = (pair % heads) * headSize
            let q = MatrixView(queries.base + image * queriesPerImage * width + column,
                               rows: queriesPerImage, columns: headSize, leadingDimension: width)
            let k = MatrixView(keys.base + image * tokens * width + column,
                               rows: tokens, columns: headSize, leadingDimension: width)
            let v = MatrixView(values.base + image * tokens * width + column,
                               rows: tokens, columns: headSize, leadingDimension: width)
            let weights = MutableMatrixView(scores, rows: queriesPerImage, columns: tokens)
            MatrixMultiply.gemmOnCurrentThread(q, k, into: weights, transposeB: true, alpha: scale)
            for row in 0..<queriesPerImage { Kernels.softmaxRow(scores + row * tokens, count: tokens) }
            let out = MutableMatrixView(context.base + image * queriesPerImage * width + column,
                                        rows: queriesPerImage, columns: headSize, leadingDimension: width)
            MatrixMultiply.gemmOnCurrentThread(weights.readOnly, v, into: out)
        }
    }
}
