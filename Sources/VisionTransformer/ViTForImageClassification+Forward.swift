import Tensors

extension ViTForImageClassification {
    /// Computes the logits of `batch` images: the whole forward pass, top to bottom.
    ///
    /// - Parameters:
    ///   - pixels: `batch × inputCount` floats, channels-first, as the image processor writes them.
    ///   - logits: room for `batch × labelCount` floats; row `b` receives image `b`'s logits.
    ///   - state: the pass's buffers and threads (``ForwardState``), for at least `batch` images.
    ///
    /// An image's logits do not depend on the batch it is in, the thread count or how the work is
    /// split: every product sums in one fixed order (see ``MatrixMultiply``), and every row-wise
    /// kernel reduces in one fixed order.
    public func logits(pixels: UnsafeBufferPointer<Float>, batch: Int, into logits: UnsafeMutableBufferPointer<Float>,
                       state: ForwardState) {
        precondition(batch >= 0 && pixels.count >= batch * inputCount && logits.count >= batch * labelCount
                     && batch <= state.batchCapacity, "logits(pixels:batch:into:state:): sizes do not match the batch")
        precondition(state.width == configuration.hiddenSize && state.tokens == configuration.sequenceLength
                     && state.compute.instructionSet == instructionSet, "the forward state was made for another model")
        guard batch > 0, let pixelBase = pixels.baseAddress, let logitBase = logits.baseAddress else { return }
        let s = state, compute = state.compute
        let tokens = configuration.sequenceLength, width = configuration.hiddenSize
        let hidden = s.matrix(s.hidden, rows: batch * tokens, columns: width)
        // After the last layer only the CLS rows are read: that layer computes only them (its keys
        // and values still come from every token), which is exact and skips most of its work.
        let classRows = MutableMatrixView(s.hidden, rows: batch, columns: width,
                                          leadingDimension: tokens * hidden.leadingDimension)

        s.timed(.patchEmbedding) { embeddings(pixelBase, batch: batch, into: hidden, patchRows: s.phase, compute) }
        for (index, layer) in layers.enumerated() {
            let h = index == layers.count - 1 ? classRows : hidden   // the rows this layer updates
            if computePrecision == .bfloat16 {
                encoderLayerOnPackedRows(layer, hidden: hidden, updating: h, batch: batch, state: s)
            } else {
                encoderLayer(layer, hidden: hidden, updating: h, batch: batch, state: s)
            }
        }
        let classTokens = s.matrix(s.classTokens, rows: batch, columns: width)
        s.timed(.layerNorm) { finalLayerNorm(classRows.readOnly, into: classTokens, compute) }
        s.timed(.head) {
            classifier(classTokens.readOnly, into: MutableMatrixView(logitBase, rows: batch, columns: labelCount),
                       compute)
        }
        s.profile?.finishPass()
    }

    /// One encoder layer: `h += Attention(LN₁(hidden)); h += MLP(LN₂(h))`, where `h` is `hidden`
    /// itself or, in the last layer, its CLS rows.
    private func encoderLayer(_ layer: EncoderLayer, hidden: MutableMatrixView, updating h: MutableMatrixView,
                              batch: Int, state s: ForwardState) {
        let compute = s.compute, tokens = configuration.sequenceLength, width = configuration.hiddenSize
        let normed = s.matrix(s.normed, rows: batch * tokens, columns: width)
        let qkv = s.matrix(s.phase, rows: batch * tokens, columns: 3 * width)
        let context = s.matrix(s.context, rows: h.rows, columns: width)
        let mlp = s.matrix(s.phase, rows: h.rows, columns: configuration.intermediateSize)
        let normedRows = s.matrix(s.normed, rows: h.rows, columns: width)

        s.timed(.layerNorm) { layer.layerNormBefore(hidden.readOnly, into: normed, compute) }
        s.timed(.qkv) { layer.attention.queryKeyValue(normed.readOnly, into: qkv, compute) }
        s.timed(.attention) { attend(layer.attention, qkv.readOnly, into: context, batch: batch, state: s) }
        s.timed(.outputProjection) { layer.attention.output(context.readOnly, addingTo: h, compute) }   // h += …
        s.timed(.layerNorm) { layer.layerNormAfter(h.readOnly, into: normedRows, compute) }
        s.timed(.mlp) {
            layer.feedForward.intermediate(normedRows.readOnly, into: mlp, activation: layer.feedForward.activation,
                                           compute)
        }
        s.timed(.mlp) { layer.feedForward.output(mlp.readOnly, addingTo: h, compute) }                   // h += …
    }

    /// ``encoderLayer(_:hidden:updating:batch:state:)`` for bfloat16 products: the LayerNorms and
    /// the MLP's first layer write their output as the next product's packed rows (bfloat16 pairs
    /// in strips), so those products pack nothing and the Float32 rows never go through memory. The
    /// same bits as packing them: only where the rounding happens moves.
    private func encoderLayerOnPackedRows(_ layer: EncoderLayer, hidden: MutableMatrixView,
                                          updating h: MutableMatrixView, batch: Int, state s: ForwardState) {
        let compute = s.compute, tokens = configuration.sequenceLength, width = configuration.hiddenSize
        let isa = instructionSet
        let normedWords = UnsafeMutableRawPointer(s.normed).assumingMemoryBound(to: UInt32.self)
        let mlpWords = UnsafeMutableRawPointer(s.phase).assumingMemoryBound(to: UInt32.self)
        let normed = PackedRows(normedWords, rows: batch * tokens, columns: width, instructionSet: isa)
        let qkv = s.matrix(s.phase, rows: batch * tokens, columns: 3 * width)
        let context = s.matrix(s.context, rows: h.rows, columns: width)
        let normedRows = PackedRows(normedWords, rows: h.rows, columns: width, instructionSet: isa)
        let mlp = PackedRows(mlpWords, rows: h.rows, columns: configuration.intermediateSize, instructionSet: isa)

        s.timed(.layerNorm) { layer.layerNormBefore(hidden.readOnly, into: normed, compute) }
        s.timed(.qkv) { layer.attention.queryKeyValue(normed, into: qkv, compute) }
        s.timed(.attention) { attend(layer.attention, qkv.readOnly, into: context, batch: batch, state: s) }
        s.timed(.outputProjection) { layer.attention.output(context.readOnly, addingTo: h, compute) }   // h += …
        s.timed(.layerNorm) { layer.layerNormAfter(h.readOnly, into: normedRows, compute) }
        s.timed(.mlp) {
            layer.feedForward.intermediate(normedRows, intoPacked: mlp, activation: layer.feedForward.activation,
                                           compute)
        }
        s.timed(.mlp) { layer.feedForward.output(mlp, addingTo: h, compute) }                           // h += …
    }

    /// The number format of attention's two products: Float32 in a Float32 pass, bfloat16 in a
    /// bfloat16 or int8 one. (int8 products would need a scale per head for queries, keys, values and
    /// probabilities; bfloat16 needs none. Measured on the 400 fidelity images: bfloat16 attention
    /// left the bfloat16 pass's top-1 labels as they were and gave the int8 pass two more top-1
    /// agreements, 387 against 385, and 7 % of its time.)
    var attentionPrecision: ComputePrecision { computePrecision == .float32 ? .float32 : .bfloat16 }

    /// `softmax(Q·Kᵀ/√d)·V` of every head of every image, for the queries `context` has rows for
    /// (all tokens, or each image's CLS token).
    private func attend(_ attention: MultiHeadAttention, _ qkv: MatrixView, into context: MutableMatrixView,
                        batch: Int, state: ForwardState) {
        let work = HeadAttention(queryKeyValue: qkv, context: context, heads: attention.heads,
                                 headSize: attention.headSize, tokens: state.tokens,
                                 queriesPerImage: context.rows / batch, pairs: batch * attention.heads,
                                 scratch: state.attentionScratch, instructionSet: instructionSet,
                                 precision: attentionPrecision)
        state.pool.runBalanced(work)
    }
}
