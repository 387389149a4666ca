import Tensors

/// Multi-head scaled dot-product self-attention with its output projection (`ViTAttention`:
/// `attention.attention.{query,key,value}` and `attention.output.dense`).
///
/// The query, key and value weights are packed side by side into one `[3·width, width]`
/// projection, so Q, K and V come out of one GEMM as the three thirds of each row.
public struct MultiHeadAttention: Sendable {
    /// `attention.attention.{query,key,value}`, fused: output columns `0..<width` are Q, then K, then V.
    public let queryKeyValue: Linear
    /// `attention.output.dense`.
    public let output: Linear
    /// The number of heads.
    public let heads: Int
    /// The width of one head.
    public let headSize: Int

    init(_ binder: WeightBinder, configuration: ViTConfiguration) {
        let width = configuration.hiddenSize
        let projections = ["query", "key", "value"].map { binder.scoped("attention").scoped($0) }
        let weights = projections.map { $0.tensorToPack("weight", shape: [width, width]) }
        var bias: Tensor?
        if configuration.qkvBias {
            let fused = Tensor(zeros: [3 * width])
            for (part, projection) in projections.enumerated() {
                let partBias = projection.tensor("bias", shape: [width])
                withExtendedLifetime(partBias) {
                    (fused.mutablePointer + part * width).update(from: partBias.pointer, count: width)
                }
            }
            bias = fused
        }
        queryKeyValue = Linear(packing: weights, bias: bias, binder: binder, precision: binder.computePrecision)
        for projection in projections { projection.release("weight") }
        output = Linear(binder.scoped("output").scoped("dense"), inputFeatures: width, outputFeatures: width,
                        precision: binder.computePrecision)
        heads = configuration.numAttentionHeads
        headSize = configuration.headSize
    }
}
