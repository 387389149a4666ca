import Foundation
import Testing
import Checkpoints
import SwiftViT
import Tensors

/// The facade end to end, from image files, against the golden references of Fixtures/models
/// (transformers' logits of transformers' own preprocessing of the same files).
///
/// Tolerance end to end: max |Δ logits| ≤ 2e-4 and the same top-5 order; the pixels are
/// bit-identical to the Pillow backend (ImagePreprocessingTests), so in practice the difference
/// is the network's alone. The test prints the measured value (MEASURED lines).
@Suite struct ImageClassifierTests {
    static let fixtures: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("Fixtures")
    }()

    struct References: Decodable {
        let images: [String]
        let top5: [[Int]]
    }

    static func references(_ model: String) throws -> (References, Checkpoint) {
        let directory = fixtures.appendingPathComponent("models/\(model)")
        let json = try JSONDecoder().decode(References.self,
                                            from: Data(contentsOf: directory.appendingPathComponent("references.json")))
        return (json, try Checkpoint(file: directory.appendingPathComponent("references.safetensors")))
    }

    static func classifier(_ model: String, batchSize: Int = 8) throws -> ImageClassifier {
        try ImageClassifier(directory: fixtures.appendingPathComponent("models/\(model)"),
                            options: .init(batchSize: batchSize))
    }

    @Test(arguments: ["tiny/f32", "tiny/bf16", "vit-b16-1layer-f16", "variant"])
    func filesAreLabelledLikeTransformers(model: String) throws {
        let (references, tensors) = try Self.references(model)
        let expected = try tensors.tensor(named: "logits").scalars
        let classifier = try Self.classifier(model, batchSize: 3)
        let labels = classifier.labels.count
        let inputs = references.images.map { ImageInput.file(Self.fixtures.appendingPathComponent($0)) }
        let results = classifier.classify(inputs, topK: 5)
        #expect(results.count == inputs.count)
        var worst: Float = 0
        for (image, result) in results.enumerated() {
            let predictions = try result.get()
            #expect(predictions.map(\.index) == references.top5[image], "\(model) \(references.images[image])")
            for prediction in predictions {
                worst = max(worst, abs(prediction.logit - expected[image * labels + prediction.index]))
                #expect(prediction.label == classifier.labels[prediction.index])
            }
        }
        print("MEASURED \(model) end to end: max |Δ logits| (top 5) = \(worst)")
        #expect(worst <= 2e-4)
        // Single-image entry points agree with the batch, and a file, its bytes and its decoded image
        // give the same bits (our kernels' results do not depend on the batch; the baseline's OpenBLAS
        // path may differ in the last bits, within 1e-5).
        let url = Self.fixtures.appendingPathComponent(references.images[0])
        let single = try classifier.classify(contentsOf: url, topK: 5)
        let fromData = try classifier.classify(try Data(contentsOf: url), topK: 5)
        let fromImage = try classifier.classify(try ImageDecoder().decode(contentsOf: url), topK: 5)
        let inBatch = try results[0].get()
        #expect(single.map(\.index) == references.top5[0] && fromData.map(\.index) == references.top5[0])
        for other in [fromData, fromImage, inBatch] {
            if VectorInstructionSet.detected.hasOwnGEMM {
                #expect(other == single, "\(model): the same image gave different results")
            } else {
                #expect(abs(single[0].logit - other[0].logit) <= 1e-5)
            }
        }
    }

    @Test func multiLabelModelScoresWithSigmoidAndDefaultTopKIsFive() throws {
        let classifier = try Self.classifier("variant")
        #expect(classifier.scoreFunction == .sigmoid && classifier.labels.count == 7)
        let (references, _) = try Self.references("variant")
        let results = try classifier.classify(contentsOf: Self.fixtures.appendingPathComponent(references.images[0]))
        #expect(results.count == 5)
        for result in results {
            #expect(abs(Double(result.score) - 1 / (1 + exp(-Double(result.logit)))) < 1e-6)
        }
        let all = try classifier.classify(contentsOf: Self.fixtures.appendingPathComponent(references.images[0]), topK: 50)
        #expect(all.count == 7)
    }

    @Test func badInputsFailAloneWithTheirOwnErrors() throws {
        let classifier = try Self.classifier("tiny/f32", batchSize: 2)
        let good = Self.fixtures.appendingPathComponent("images/photos/chelsea.jpg")
        let missing = URL(fileURLWithPath: "/nonexistent/cat.jpg")
        let inputs: [ImageInput] = [.file(good), .file(missing), .data(Data("not an image".utf8), name: "note.png"),
                                    .data(Data(), name: "empty.jpg"), .file(good)]
        let results = classifier.classify(inputs)
        #expect(results.count == 5)
        let first = try results[0].get(), last = try results[4].get()
        #expect(first == last)
        for (index, name) in [(1, "/nonexistent/cat.jpg"), (2, "note.png"), (3, "empty.jpg")] {
            #expect(throws: ImageClassifierError.self) { try results[index].get() }
            if case .failure(let error) = results[index] { #expect("\(error)".contains(name), "\(error)") }
        }
    }

    @Test func sharedAcrossTasksGivesTheSameResults() async throws {
        let classifier = try Self.classifier("tiny/f32")
        let url = Self.fixtures.appendingPathComponent("images/photos/coffee.jpg")
        let expected = try classifier.classify(contentsOf: url)
        try await withThrowingTaskGroup(of: [Classification].self) { group in
            for _ in 0..<8 { group.addTask { try classifier.classify(contentsOf: url) } }
            for try await result in group { #expect(result == expected) }
        }
        // In a batch of two: the same bits (OpenBLAS on the baseline path: logits to rounding).
        let batch = classifier.classify([ImageInput.file(url), .file(url)])
        for result in batch {
            let predictions = try result.get()
            #expect(predictions.map(\.index) == expected.map(\.index))
            if VectorInstructionSet.detected.hasOwnGEMM {
                #expect(predictions == expected)
            } else {
                #expect(zip(predictions, expected).allSatisfy { abs($0.logit - $1.logit) <= 1e-5 })
            }
        }
    }

    @Test func unusableModelsAreRefusedWithAReason() async throws {
        #expect {
            try ImageClassifier(directory: URL(fileURLWithPath: "/nonexistent/model"))
        } throws: { "\($0)".contains("/nonexistent/model") }
        #expect(throws: ImageClassifierError.self) {
            try ImageClassifier(directory: Self.fixtures.appendingPathComponent("models/tiny/f32"),
                                options: .init(batchSize: 0))
        }
        // ImageClassifierError carries the repository's typed error, so callers can tell a missing
        // folder from a missing file or a network failure without parsing the message.
        do {
            _ = try await ImageClassifier(model: "/nonexistent/model")
            Issue.record("a missing folder was accepted")
        } catch ImageClassifierError.modelUnavailable(let model, .directoryNotFound(let path)) {
            #expect(model == "/nonexistent/model" && path == "/nonexistent/model")
        } catch {
            Issue.record("unexpected error: \(error)")
        }
        let incomplete = FileManager.default.temporaryDirectory.appendingPathComponent("swiftvit-incomplete-\(UUID())")
        try FileManager.default.createDirectory(at: incomplete, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: incomplete) }
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("models/tiny/f32/config.json"),
                                         to: incomplete.appendingPathComponent("config.json"))
        do {
            _ = try ImageClassifier(directory: incomplete)
            Issue.record("a folder without preprocessor_config.json was accepted")
        } catch ImageClassifierError.modelUnavailable(_, .missingFile(_, let file)) {
            #expect(file == "preprocessor_config.json")
        } catch {
            Issue.record("unexpected error: \(error)")
        }
        // A processor that makes 224×224 inputs for a 32-pixel model.
        let model = try Self.classifier("tiny/f32").model
        let processor = ImageProcessor(configuration: .vitBasePatch16_224)
        #expect {
            try ImageClassifier(model: model, processor: processor)
        } throws: { "\($0)".contains("image_size is 32") }
    }
}
