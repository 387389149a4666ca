import Tensors

/// ViT's embeddings (`ViTEmbeddings`): the `patch × patch`, stride-`patch` convolution of the
/// image as one GEMM over extracted patches, then the CLS token and the position embeddings.
public struct PatchEmbedding: Sendable {
    /// `patch_embeddings.projection` as a linear layer: the convolution weight
    /// `[width, channels, patch, patch]` viewed as `[width, channels·patch·patch]`, and its bias.
    public let projection: Linear
    /// `position_embeddings` without the batch dimension, `[tokens, width]`.
    public let positions: Tensor
    /// `cls_token + position_embeddings[0]`: the first row of every image's hidden state.
    let classRow: Tensor
    let channels: Int
    let patchSize: Int
    let patchesPerSide: Int

    /// Binds `cls_token`, `position_embeddings` and `patch_embeddings.projection` under
    /// `binder`'s scope (`vit.embeddings`).
    init(_ binder: WeightBinder, configuration: ViTConfiguration) {
        let width = configuration.hiddenSize, tokens = configuration.sequenceLength
        channels = configuration.numChannels
        patchSize = configuration.patchSize
        patchesPerSide = configuration.patchesPerSide
        let cls = binder.tensor("cls_token", shape: [1, 1, width])
        positions = binder.tensor("position_embeddings", shape: [1, tokens, width]).reshaped([tokens, width])
        let convolution = binder.scoped("patch_embeddings").scoped("projection")
        let weight = convolution.tensorToPack("weight", shape: [width, channels, patchSize, patchSize])
        projection = Linear(packing: [weight.reshaped([width, channels * patchSize * patchSize])],
                            bias: convolution.tensor("bias", shape: [width]), binder: binder)
        convolution.release("weight")
        let row = Tensor(zeros: [width])
        for feature in 0..<width { row.mutablePointer[feature] = cls.pointer[feature] + positions.pointer[feature] }
        classRow = row
    }


    /// Embeds `images` (`batch` images, each `[channels, size, size]`, contiguous) into `hidden`
    /// (`batch × tokens` rows): row 0 of an image is CLS + position 0, row `1 + p` is
    /// `conv(patch p) + bias + position p + 1`, in transformers' order of additions.
    func callAsFunction(_ images: UnsafePointer<Float>, batch: Int, into hidden: MutableMatrixView,
                        patchRows: UnsafeMutablePointer<Float>, _ compute: ComputeContext) {
        let patches = patchesPerSide * patchesPerSide, tokens = patches + 1
        let patchLength = channels * patchSize * patchSize, width = hidden.columns
        let stride = MatrixMultiply.paddedLeadingDimension(patchLength)
        compute.pool.parallelFor(batch * patches, minimumChunk: 16,
                                 PatchExtraction(images: images, patchRows: patchRows, stride: stride, patches: patches,
                                                 channels: channels, patchSize: patchSize,
                                                 patchesPerSide: patchesPerSide))
        for image in 0..<batch {
            let imageRows = hidden.base + image * tokens * hidden.leadingDimension
            imageRows.update(from: classRow.pointer, count: width)
            let output = MutableMatrixView(imageRows + hidden.leadingDimension, rows: patches, columns: width,
                                           leadingDimension: hidden.leadingDimension)
            let input = MatrixView(patchRows + image * patches * stride, rows: patches, columns: patchLength,
                                   leadingDimension: stride)
            MatrixMultiply.multiply(input, projection.weight.panels, into: output,
                                    epilogue: GEMMEpilogue(bias: projection.bias?.pointer,
                                                           residual: MatrixView(positions.pointer + width,
                                                                                rows: patches, columns: width)),
                                    scratch: compute.gemmScratch, pool: compute.pool)
        }
    }
}

/// Patch extraction (im2col): row `p` of image `b` is its `p`-th patch, laid out as the
/// convolution weight is (channel-major, then row, then column), so a GEMM against the weight
/// viewed as `[width, patchLength]` is the convolution.
private struct PatchExtraction: ParallelRangeWork {
    let images: UnsafePointer<Float>
    let patchRows: UnsafeMutablePointer<Float>
    /// Floats from one patch row to the next.
    let stride: Int
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
            var destination = patchRows + row * stride
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
