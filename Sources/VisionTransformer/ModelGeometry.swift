
/// The sizes a ViT configuration implies, checked once so the layers can rely on them.
struct ModelGeometry: Sendable, Equatable {
    let width: Int
    let heads: Int
    let headSize: Int
    let intermediateSize: Int
    let layers: Int
    let channels: Int
    let imageSize: Int
    let patchSize: Int
    let patchesPerSide: Int
    /// Patches plus the CLS token.
    let tokens: Int
    let labels: Int

    init(_ configuration: ViTConfiguration) throws(WeightBindingError) {
        func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws(WeightBindingError) {
            if !condition { throw .invalidConfiguration(reason()) }
        }
        let c = configuration
        try require(c.hiddenSize > 0 && c.numAttentionHeads > 0 && c.intermediateSize > 0,
                    "hidden_size, num_attention_heads and intermediate_size must be positive")
        try require(c.hiddenSize % c.numAttentionHeads == 0,
                    "hidden_size \(c.hiddenSize) is not a multiple of num_attention_heads \(c.numAttentionHeads)")
        try require(c.numHiddenLayers >= 0, "num_hidden_layers must not be negative")
        try require(c.numChannels > 0 && c.patchSize > 0 && c.imageSize >= c.patchSize,
                    "num_channels and patch_size must be positive and image_size at least patch_size")
        try require(c.imageSize % c.patchSize == 0,
                    "image_size \(c.imageSize) is not a multiple of patch_size \(c.patchSize)")
        try require(!c.labels.isEmpty, "the model has no labels")
        // Bound the sizes so that no product below can overflow or ask for absurd memory.
        try require(c.hiddenSize <= 1 << 16 && c.intermediateSize <= 1 << 18 && c.numHiddenLayers <= 1024
                    && c.imageSize <= 1 << 14 && c.numChannels <= 64 && c.labels.count <= 1 << 20,
                    "the configuration's sizes are implausibly large")
        width = c.hiddenSize
        heads = c.numAttentionHeads
        headSize = c.hiddenSize / c.numAttentionHeads
        intermediateSize = c.intermediateSize
        layers = c.numHiddenLayers
        channels = c.numChannels
        imageSize = c.imageSize
        patchSize = c.patchSize
        patchesPerSide = c.imageSize / c.patchSize
        tokens = patchesPerSide * patchesPerSide + 1
        labels = c.labels.count
    }
}
