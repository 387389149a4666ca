import Foundation
import VisionTransformer

/// How logits become scores, chosen from the configuration exactly as transformers'
/// image-classification pipeline chooses (`problem_type`, then the label count).
public enum ScoreFunction: String, Sendable, CaseIterable {
    /// Independent probabilities, `1 / (1 + e^−x)`: multi-label models and one-label models.
    case sigmoid
    /// Probabilities that sum to one over all classes.
    case softmax
    /// The logits themselves (`problem_type: "regression"`).
    case identity

    /// The function the transformers pipeline applies for `configuration`.
    public init(for configuration: ViTConfiguration) {
        switch configuration.problemType {
        case "regression": self = .identity
        case "multi_label_classification": self = .sigmoid
        case "single_label_classification": self = configuration.numLabels == 1 ? .sigmoid : .softmax
        default: self = configuration.numLabels == 1 ? .sigmoid : .softmax
        }
    }

    /// The scores of one image's `logits`, computed in Float64 and rounded once.
    public func scores(_ logits: UnsafeBufferPointer<Float>) -> [Float] {
        switch self {
        case .identity:
            return Array(logits)
        case .sigmoid:
            return logits.map { Float(1 / (1 + exp(-Double($0)))) }
        case .softmax:
            let largest = logits.max() ?? 0
            let exponentials = logits.map { exp(Double($0) - Double(largest)) }
            let total = exponentials.reduce(0, +)
            return exponentials.map { Float($0 / total) }
        }
    }

    /// The `topK` best classes of one image (capped at the label count), by descending score;
    /// ties keep the lower index first, as Python's stable sort does.
    public func classifications(logits: UnsafeBufferPointer<Float>, labels: [String], topK: Int) -> [Classification] {
        let scores = self.scores(logits)
        // NaN (from a NaN logit) sorts last instead of breaking the ordering.
        let keys = scores.map { $0.isNaN ? -Float.infinity : $0 }
        let order = keys.indices.sorted { keys[$0] > keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
        return order.prefix(max(0, min(topK, labels.count))).map {
            Classification(label: labels[$0], index: $0, score: scores[$0], logit: logits[$0])
        }
    }
}
