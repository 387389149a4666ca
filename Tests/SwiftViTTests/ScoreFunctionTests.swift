import Foundation
import Testing
import SwiftViT

/// Post-processing as transformers' image-classification pipeline does it.
@Suite struct ScoreFunctionTests {
    static func configuration(labels: Int, problemType: String? = nil) -> ViTConfiguration {
        ViTConfiguration(labels: (0..<labels).map { "class \($0)" }, problemType: problemType)
    }

    @Test func functionIsChosenLikeThePipeline() {
        #expect(ScoreFunction(for: Self.configuration(labels: 1000)) == .softmax)
        #expect(ScoreFunction(for: Self.configuration(labels: 1)) == .sigmoid)
        #expect(ScoreFunction(for: Self.configuration(labels: 7, problemType: "multi_label_classification")) == .sigmoid)
        #expect(ScoreFunction(for: Self.configuration(labels: 7, problemType: "single_label_classification")) == .softmax)
        #expect(ScoreFunction(for: Self.configuration(labels: 1, problemType: "single_label_classification")) == .sigmoid)
        #expect(ScoreFunction(for: Self.configuration(labels: 3, problemType: "regression")) == .identity)
    }

    /// Softmax and sigmoid of known logits; Float64 reference, tolerance 1e-7.
    @Test func scoresTopKOrderTiesAndNaN() {
        let labels = ["a", "b", "c", "d"]
        let logits: [Float] = [1, 3, 3, -2]
        let results = logits.withUnsafeBufferPointer {
            ScoreFunction.softmax.classifications(logits: $0, labels: labels, topK: 10)
        }
        #expect(results.map(\.index) == [1, 2, 0, 3])          // capped at 4; tie keeps index order
        let total = logits.map { exp(Double($0)) }.reduce(0, +)
        for result in results {
            #expect(abs(Double(result.score) - exp(Double(result.logit)) / total) < 1e-7)
            #expect(result.label == labels[result.index] && result.logit == logits[result.index])
        }
        let sigmoid = logits.withUnsafeBufferPointer {
            ScoreFunction.sigmoid.classifications(logits: $0, labels: labels, topK: 2)
        }
        #expect(sigmoid.map(\.index) == [1, 2])
        #expect(abs(Double(sigmoid[0].score) - 1 / (1 + exp(-3.0))) < 1e-7)
        let withNaN: [Float] = [.nan, 0, 1, 2]
        let nanResults = withNaN.withUnsafeBufferPointer {
            ScoreFunction.identity.classifications(logits: $0, labels: labels, topK: 4)
        }
        #expect(nanResults.map(\.index) == [3, 2, 1, 0])
        let none = logits.withUnsafeBufferPointer { ScoreFunction.softmax.classifications(logits: $0, labels: labels, topK: 0) }
        #expect(none.isEmpty)
    }
}
