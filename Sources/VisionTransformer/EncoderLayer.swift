/// One pre-LayerNorm transformer block (`ViTLayer`): `h += Attention(LN₁(h)); h += MLP(LN₂(h))`.
/// It holds weights only; the forward pass (`ViTForImageClassification+Forward.swift`) runs it.
public struct EncoderLayer: Sendable {
    /// `layernorm_before`.
    public let layerNormBefore: LayerNormalization
    /// `attention`.
    public let attention: MultiHeadAttention
    /// `layernorm_after`.
    public let layerNormAfter: LayerNormalization
    /// `intermediate` and `output`.
    public let feedForward: FeedForward

    init(_ binder: WeightBinder, configuration: ViTConfiguration) {
        let width = configuration.hiddenSize, epsilon = configuration.layerNormEps
        layerNormBefore = LayerNormalization(binder.scoped("layernorm_before"), features: width, epsilon: epsilon)
        attention = MultiHeadAttention(binder.scoped("attention"), configuration: configuration)
        layerNormAfter = LayerNormalization(binder.scoped("layernorm_after"), features: width, epsilon: epsilon)
        feedForward = FeedForward(binder, configuration: configuration)
    }
}
