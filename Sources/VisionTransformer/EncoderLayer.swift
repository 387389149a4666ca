import Tensors

/// One pre-LayerNorm transformer block (`ViTLayer`):
/// `h += Attention(LN₁(h)); h += MLP(LN₂(h))`.
///
/// The block receives `LN₁(h)` already computed (by the previous block's fused residual pass or
/// by the embeddings) and finishes by adding its last residual and applying the *next*
/// LayerNorm in the same pass, so every residual add rides along with a LayerNorm.
public struct EncoderLayer: Sendable {
    /// `layernorm_before`.
    public let layerNormBefore: LayerNormalization
    /// `attention`.
    public let attention: MultiHeadAttention
    /// `layernorm_after`.
    public let layerNormAfter: LayerNormalization
    /// `intermediate` and `output`.
    public let feedForward: FeedForward

    init(_ binder: WeightBinder, geometry: ModelGeometry, activation: Activation, epsilon: Double, qkvBias: Bool) {
        layerNormBefore = LayerNormalization(binder.scoped("layernorm_before"), features: geometry.width, epsilon: epsilon)
        attention = MultiHeadAttention(binder.scoped("attention"), geometry: geometry, qkvBias: qkvBias)
        layerNormAfter = LayerNormalization(binder.scoped("layernorm_after"), features: geometry.width, epsilon: epsilon)
        feedForward = FeedForward(binder, geometry: geometry, activation: activation)
    }

    /// Runs the block on `hidden` (`batch × tokens` rows), given `normed = LN₁(hidden)`, and
    /// writes `nextNorm(hidden)` of the updated rows into `nextNormed`.
    ///
    /// With `classTokenOnly`, only each image's CLS row is computed (keys and values still use
    /// every token): in the last block nothing else is read afterwards, so this is exact and
    /// skips most of the block's work. `nextNormed` then has `batch` rows.
    func callAsFunction(hidden: MutableMatrixView, normed: MatrixView, batch: Int, tokens: Int,
                        classTokenOnly: Bool, nextNorm: LayerNormalization, nextNormed: MutableMatrixView,
                        workspace: Workspace, profile: StageProfile?) {
        let width = hidden.columns
        // Everything this block allocates is scratch: recycle it for the next block, so a pass
        // needs one block's scratch, not one per layer.
        let scratch = workspace.mark()
        defer { workspace.rewind(to: scratch) }
        // The rows this block produces: all of them, or every image's first (CLS) row.
        let residual = classTokenOnly
            ? MutableMatrixView(hidden.base, rows: batch, columns: width, leadingDimension: tokens * hidden.leadingDimension)
            : hidden
        let queryInput = classTokenOnly
            ? MatrixView(normed.base, rows: batch, columns: width, leadingDimension: tokens * normed.leadingDimension)
            : normed
        attention(normed: normed, queryInput: queryInput, batch: batch, tokens: tokens,
                  queriesPerImage: classTokenOnly ? 1 : tokens, residual: residual,
                  workspace: workspace, profile: profile)
        let afterNormed = workspace.matrix(rows: residual.rows, columns: width)
        profile.measure(.layerNorm) {
            layerNormAfter.addAndNormalize(residual: residual, deltaBias: attention.output.bias, into: afterNormed)
        }
        feedForward(afterNormed.readOnly, accumulatingOnto: residual, workspace: workspace, profile: profile)
        profile.measure(.layerNorm) {
            nextNorm.addAndNormalize(residual: residual, deltaBias: feedForward.output.bias, into: nextNormed)
        }
    }
}
