import Tensors

/// ViT's embeddings (`ViTEmbeddings`): the `patch × patch`, stride-`patch` convolution of the
/// image as one GEMM over extracted patches, then the CLS token and position embeddings.
///
/// The position embeddings, the CLS token and the convolution bias do not depend on the image,
/// so they are summed once at load into a `[tokens, width]` table; each forward pass copies the
/// table into the hidden state and the patch GEMM accumulates onto it (β = 1).
public struct PatchEmbedding: Sendable {
    /// The convolution weight `[width, channels, patch, patch]`.
    public let projection: Tensor
    /// `[tokens, width]`: row 0 is CLS + position 0, row `i` is position `i` + conv bias.
    let initialTokens: Tensor
    let channels: Int
    let patchSize: Int
    let patchesPerSide: Int
    let width: Int

    /// Binds `cls_token`, `position_embeddings` and `patch_embeddings.projection` under
    /// `binder`'s scope (`vit.embeddings`).
    init(_ binder: WeightBinder, configuration: ModelGeometry) {
        let width = configuration.width, tokens = configuration.tokens
        channels = configuration.channels
        patchSize = configuration.patchSize
        patchesPerSide = configuration.patchesPerSide
        self.width = width
        let cls = binder.tensor("cls_token", shape: [1, 1, width])
        let positions = binder.tensor("position_embeddings", shape: [1, tokens, width])
        let convolution = binder.scoped("patch_embeddings").scoped("projection")
        projection = convolution.tensor("weight", shape: [width, channels, patchSize, patchSize])
        let bias = convolution.tensor("bias", shape: [width])
        let table = Tensor(zeros: [tokens, width])
        for token in 0..<tokens {
            for feature in 0..<width {
                let extra = token == 0 ? cls.pointer[feature] : bias.pointer[feature]
                table.mutablePointer[token * width + feature] = positions.pointer[token * width + feature] + extra
            }
        }
        initialTokens = table
    }

    /// Embeds `images` (`batch` images, each `[channels, size, size]` channels-first, contiguous)
    /// into `hidden` (`batch × tokens` rows of `width`).
    func callAsFunction(_ images: UnsafePointer<Float>, batch: Int, into hidden: MutableMatrixView,
                        workspace: Workspace) {
        let tokens = initialTokens.shape[0], patches = tokens - 1
        let patchLength = channels * patchSize * patchSize
        let patchRows = workspace.matrix(rows: batch * patches, columns: patchLength)
        ComputeThreads.pool.parallelFor(batch * patches, minimumChunk: 16,
                                        PatchExtraction(images: images, patchRows: patchRows, patches: patches,
                                                        channels: channels, patchSize: patchSize,
                                                        patchesPerSide: patchesPerSide))
        let weight = MatrixView(projection.pointer, rows: width, columns: patchLength)
        for image in 0..<batch {
            let imageTokens = hidden.base + image * tokens * hidden.leadingDimension
            for token in 0..<tokens {
                (imageTokens + token * hidden.leadingDimension)
                    .update(from: initialTokens.pointer + token * width, count: width)
            }
            let patchOutputs = MutableMatrixView(imageTokens + hidden.leadingDimension, rows: patches,
                                                 columns: width, leadingDimension: hidden.leadingDimension)
            let patchInputs = MatrixView(patchRows.base + image * patches * patchLength, rows: patches,
                                         columns: patchLength)
            MatrixMultiply.gemm(patchInputs, weight, into: patchOutputs, transposeB: true, beta: 1)
        }
    }
}

/// Patch extraction (im2col): row `p` of image `b` is its `p`-th patch, laid out as the
/// convolution weight is (channel-major, then row, then column), so a GEMM against the weight
/// viewed as `[width, patchLength]` is the convolution.
private struct PatchExtraction: ParallelRangeWork {
    let images: UnsafePointer<Float>
    let patchRows: MutableMatrixView
    let patches: Int
    let channels: Int
    let patchSize: Int
    let patchesPerSide: Int

    func run(_ rows: Range<Int>) {
        let imageSize = patchesPerSide * patchSize
        let imageLength = channels * imageSize * imageSize
        for row in rows {
            let image = images + (row / patches) * imageLength
            let patch = row % patches
            let top = (patch / patchesPerSide) * patchSize, left = (patch % patchesPerSide) * patchSize
            var destination = patchRows.base + row * patchRows.leadingDimension
            for channel in 0..<channels {
                for y in 0..<patchSize {
                    destination.update(from: image + (channel * imageSize + top + y) * imageSize + left,
                                       count: patchSize)
                    destination += patchSize
                }
            }
        }
    }
}
