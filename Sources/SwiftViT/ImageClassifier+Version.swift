extension ImageClassifier {
    /// SwiftViT's version, as `vit-classify --version` prints it.
    public static let version = "0.1.0"

    /// The transformers setup SwiftViT reproduces: its version, and the torch, torchvision and Pillow
    /// versions of the two image-processor backends (``ProcessorBackend``).
    public static let referenceStack = "transformers 5.24.0 with torch 2.15.0, torchvision 0.29.2, Pillow 13.0.0"
}
