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
        let projections = binder.scoped("attention")
        let fusedWeight = Tensor(zeros: [3 * width, width])
        let fusedBias = Tensor(zeros: [3 * width])
        for (part, name) in ["query", "key", "value"].enumerated() {
            let projection = projections.scoped(name)
            let weight = projection.tensor("weight", shape: [width, width])
            (fusedWeight.mutablePointer + part * width * width).update(from: weight.pointer, count: width * width)
            projection.release("weight")
            if configuration.qkvBias {
                let bias = projection.tensor("bias", shape: [width])
                (fusedBias.mutablePointer + part * width).update(from: bias.pointer, count: width)
            }
        }
        queryKeyValue = Linear(packing: fusedWeight, bias: configuration.qkvBias ? fusedBias : nil, binder: binder)
        output = Linear(binder.scoped("output").scoped("dense"), inputFeatures: width, outputFeatures: width)
        heads = configuration.numAttentionHeads
        headSize = configuration.headSize
    }
}
