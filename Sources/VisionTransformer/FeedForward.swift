import Tensors

/// The MLP of an encoder layer: `intermediate.dense` (width → intermediate) with the configured
/// activation, then `output.dense` (intermediate → width).
public struct FeedForward: Sendable {
    /// `intermediate.dense`.
    public let intermediate: Linear
    /// `output.dense`.
    public let output: Linear
    /// The activation between the two (`hidden_act`).
    public let activation: Activation

    init(_ binder: WeightBinder, configuration: ViTConfiguration) {
        intermediate = Linear(binder.scoped("intermediate").scoped("dense"),
                              inputFeatures: configuration.hiddenSize, outputFeatures: configuration.intermediateSize,
                              precision: binder.computePrecision)
        output = Linear(binder.scoped("output").scoped("dense"),
                        inputFeatures: configuration.intermediateSize, outputFeatures: configuration.hiddenSize,
                        precision: binder.computePrecision)
        activation = configuration.hiddenAct
    }
}
