/// One predicted class for an image.
public struct Classification: Sendable, Equatable, Hashable, Codable {
    /// The class name from the model's `id2label`.
    public var label: String
    /// The class index (the logit's position).
    public var index: Int
    /// The probability: softmax over all classes, or the class's own sigmoid for multi-label
    /// models (see ``ScoreFunction``).
    public var score: Float
    /// The raw logit.
    public var logit: Float

    /// Creates a result.
    public init(label: String, index: Int, score: Float, logit: Float) {
        self.label = label
        self.index = index
        self.score = score
        self.logit = logit
    }
}
