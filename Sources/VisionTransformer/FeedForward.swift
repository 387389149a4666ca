import Tensors

/// The MLP of an encoder layer: `intermediate.dense` (width → intermediate) with the
/// configured activation, then `output.dense` (intermediate → width).
public struct FeedForward: Sendable {
    /// `intermediate.dense`.
    public let intermediate: Linear
    /// `output.dense`.
    public let output: Linear
    /// The activation between the two (`hidden_act`).
    public let activation: Activation

    init(_ binder: WeightBinder, geometry: ModelGeometry, activation: Activation) {
        intermediate = Linear(binder.scoped("intermediate").scoped("dense"),
                              inputFeatures: geometry.width, outputFeatures: geometry.intermediateSize)
        output = Linear(binder.scoped("output").scoped("dense"),
                        inputFeatures: geometry.intermediateSize, outputFeatures: geometry.width)
        self.activation = activation
    }

    /// Accumulates `MLP(input)` onto `residual`, without the second layer's bias (the following
    /// residual + LayerNorm pass adds it).
    func callAsFunction(_ input: MatrixView, accumulatingOnto residual: MutableMatrixView,
                        workspace: Workspace, profile: StageProfile?) {
        let hidden = workspace.matrix(rows: input.rows, columns: intermediate.outputFeatures)
        profile.measure(.mlp) { intermediate.multiply(input, into: hidden, accumulate: false, workspace: workspace) }
        profile.measure(.activation) {
            Kernels.applyActivation(activation, to: hidden, addingBias: intermediate.bias?.pointer)
        }
        profile.measure(.mlp) { output.multiply(hidden.readOnly, into: residual, accumulate: true, workspace: workspace) }
    }
}
