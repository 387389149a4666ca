import Foundation
import Testing
import Checkpoints
import SwiftViT
import Tensors

/// The facade end to end, from image files, against the golden references of Fixtures/models: with the
/// default torchvision backend, the logits of transformers' default `pipeline("image-classification")`
/// (torchvision installed, so `ViTImageProcessor` / `DeiTImageProcessor`); with the Pillow backend, the
/// model's logits on `ViTImageProcessorPil` / `DeiTImageProcessorPil` pixels.
///
/// Tolerance end to end, over every logit: max |Δ| ≤ 1e-4 against the pipeline, 2e-4 against the Pillow
/// backend, and the same top-5 order; the pixels are bit-identical to either backend
/// (ImagePreprocessingTests), so the difference is the network's alone. The test prints the measured values
/// (MEASURED lines), and also how far each backend's logits are from the other backend's reference.
@Suite struct ImageClassifierTests {
    static let fixtures: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("Fixtures")
    }()

    struct References: Decodable {
        struct Pipeline: Decodable {
            let imageProcessor: String
            let top5: [[Int]]
            enum CodingKeys: String, CodingKey {
                case top5
                case imageProcessor = "image_processor"
            }
        }
        let images: [String]
        let top5: [[Int]]
        let pipeline: Pipeline
    }

    static func references(_ model: String) throws -> (References, Checkpoint) {
        let directory = fixtures.appendingPathComponent("models/\(model)")
        let json = try JSONDecoder().decode(References.self,
                                            from: Data(contentsOf: directory.appendingPathComponent("references.json")))
        return (json, try Checkpoint(file: directory.appendingPathComponent("references.safetensors")))
    }

    static func classifier(_ model: String, batchSize: Int = 8,
                           backend: ProcessorBackend = .torchvision) throws -> ImageClassifier {
        try ImageClassifier(directory: fixtures.appendingPathComponent("models/\(model)"),
                            options: .init(batchSize: batchSize, processorBackend: backend))
    }

    /// Every logit of `classifier` on the reference images, image by image.
    static func allLogits(_ classifier: ImageClassifier, _ references: References) throws -> [[Float]] {
        let inputs = references.images.map { ImageInput.file(fixtures.appendingPathComponent($0)) }
        return try classifier.classify(inputs, topK: classifier.labels.count).map { result in
            var row = [Float](repeating: .nan, count: classifier.labels.count)
            for prediction in try result.get() { row[prediction.index] = prediction.logit }
            return row
        }
    }

    @Test(arguments: ["tiny/f32", "tiny/bf16", "vit-b16-1layer-f16", "variant"], ProcessorBackend.allCases)
    func filesAreLabelledLikeTransformers(model: String, backend: ProcessorBackend) throws {
        let (references, tensors) = try Self.references(model)
        #expect(["ViTImageProcessor", "DeiTImageProcessor"].contains(references.pipeline.imageProcessor))
        let classifier = try Self.classifier(model, batchSize: 3, backend: backend)
        #expect(classifier.processor.backend == backend)
        let (own, other) = backend == .torchvision ? ("pipeline_logits", "logits") : ("logits", "pipeline_logits")
        let expected = try tensors.tensor(named: own).scalars, otherBackend = try tensors.tensor(named: other).scalars
        let top5 = backend == .torchvision ? references.pipeline.top5 : references.top5
        let logits = try Self.allLogits(classifier, references)
        var worst: Float = 0, worstAgainstOther: Float = 0
        for (image, row) in logits.enumerated() {
            let order = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
            #expect(Array(order.prefix(5)) == top5[image], "\(model) \(references.images[image])")
            for (label, logit) in row.enumerated() {
                worst = max(worst, abs(logit - expected[image * row.count + label]))
                worstAgainstOther = max(worstAgainstOther, abs(logit - otherBackend[image * row.count + label]))
            }
        }
        print("MEASURED \(model) end to end, \(backend) backend: max |Δ logits| (all labels, \(logits.count) images) "
              + "= \(worst) vs transformers' \(backend == .torchvision ? "default pipeline" : "Pillow backend"), "
              + "\(worstAgainstOther) vs the other backend's reference")
        #expect(worst <= (backend == .torchvision ? 1e-4 : 2e-4))
        // Single-image entry points agree with the batch, and a file, its bytes and its decoded image
        // give the same bits (our kernels' results do not depend on the batch; the baseline's OpenBLAS
        // path may differ in the last bits, within 1e-5).
        let url = Self.fixtures.appendingPathComponent(references.images[0])
        let single = try classifier.classify(contentsOf: url, topK: 5)
        let fromData = try classifier.classify(try Data(contentsOf: url), topK: 5)
        let fromImage = try classifier.classify(try ImageDecoder().decode(contentsOf: url), topK: 5)
        let inBatch = single.map { logits[0][$0.index] }
        #expect(single.map(\.index) == top5[0] && fromData.map(\.index) == top5[0])
        #expect(single.allSatisfy { $0.label == classifier.labels[$0.index] })
        for other in [fromData, fromImage] {
            if VectorInstructionSet.detected.hasOwnGEMM {
                #expect(other == single, "\(model): the same image gave different results")
            } else {
                #expect(abs(single[0].logit - other[0].logit) <= 1e-5)
            }
        }
        if VectorInstructionSet.detected.hasOwnGEMM {
            #expect(single.map(\.logit) == inBatch, "\(model): batch and single image differ")
        }
    }

    @Test func theDefaultBackendIsTorchvisionAndBoxNeedsPillow() throws {
        #expect(ImageClassifier.Options().processorBackend == .torchvision)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftvit-box-\(UUID())")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("models/tiny/f32"), to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"image_processor_type": "ViTImageProcessor", "size": 32, "resample": 4}"#.utf8)
            .write(to: folder.appendingPathComponent("preprocessor_config.json"))
        #expect {
            try ImageClassifier(directory: folder)
        } throws: { error in
            guard case ImageClassifierError.unsupportedPreprocessing(_, .unsupportedFilter(.box, .torchvision)) = error
            else { return false }
            return "\(error)".contains("preprocessor_config.json") && "\(error)".contains("pillow")
        }
        #expect(try ImageClassifier(directory: folder, options: .init(processorBackend: .pillow)).processor.backend
                == .pillow)
    }

    /// One rule for topK in every entry point (and vit-classify's --top-k): at least 1, capped at the label
    /// count; and a missing file is named by its path with the system's words.
    @Test func topKBelowOneIsRefusedAndAMissingFileNamesItsPath() throws {
        let classifier = try Self.classifier("tiny/f32")
        let url = Self.fixtures.appendingPathComponent("images/photos/chelsea.jpg")
        let prepared = try classifier.prepare(.file(url))
        for topK in [0, -3] {
            let calls: [() throws -> Void] = [
                { _ = try classifier.classify(contentsOf: url, topK: topK) },
                { _ = try classifier.classify(try Data(contentsOf: url), topK: topK) },
                { _ = try classifier.classify(prepared, topK: topK) },
                { _ = try classifier.classify([prepared], topK: topK) },
                { _ = try classifier.classify([ImageInput.file(url)], topK: topK) },
            ]
            for call in calls {
                #expect { try call() } throws: { error in
                    guard case ImageClassifierError.invalidArgument(let reason) = error else { return false }
                    return reason.hasPrefix("topK must be at least 1 (got \(topK))")
                }
            }
        }
        #expect(try classifier.classify(contentsOf: url, topK: 1000).count == classifier.labels.count)
        #expect {
            try classifier.classify(contentsOf: URL(fileURLWithPath: "/nonexistent/cat.jpg"))
        } throws: { "\($0)" == "cannot read image file /nonexistent/cat.jpg: No such file or directory" }
    }

    /// Loading from disk reports the weights being read, up to the file's size.
    @Test func loadingFromDiskReportsReadingTheWeights() async throws {
        final class Reports: @unchecked Sendable {
            let lock = NSLock()
            var all: [LoadingProgress] = []
        }
        let reports = Reports()
        let folder = Self.fixtures.appendingPathComponent("models/vit-b16-1layer-f16")
        _ = try await ImageClassifier(model: folder.path) { progress in
            reports.lock.withLock { reports.all.append(progress) }
        }
        let size = try #require(try FileManager.default.attributesOfItem(
            atPath: folder.appendingPathComponent("model.safetensors").path)[.size] as? Int)
        let all = reports.lock.withLock { reports.all }
        #expect(all.allSatisfy { $0.stage == .reading && $0.file == "model.safetensors" })
        #expect(all.first?.completedBytes == 0 && all.last?.completedBytes == Int64(size))
        #expect(all.last?.fractionCompleted == 1 && all.count >= 3, "\(all.count) reports for \(size) bytes")
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
        let results = try classifier.classify(inputs)
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
        let batch = try classifier.classify([ImageInput.file(url), .file(url)])
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
