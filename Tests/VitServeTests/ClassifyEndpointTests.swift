import Checkpoints
import Foundation
import SwiftViT
import Testing
import TestSupport

/// `POST /v1/classify` over real HTTP: the labels of transformers' references, one client's
/// results never mixed with another's, multipart uploads, and every refusal with its status.
@Suite struct ClassifyEndpointTests {
    /// transformers' results for the tiny fixture model: image paths (under Fixtures/), top-5
    /// indices, logits.
    struct References {
        let images: [String]
        let top5: [[Int]]
        let logits: [[Float]]

        static func tiny() throws -> References {
            struct JSON: Decodable { let images: [String]; let top5: [[Int]] }
            let folder = URL(fileURLWithPath: ServerProcess.tinyModel)
            let json = try JSONDecoder().decode(JSON.self, from: Data(contentsOf: folder.appendingPathComponent("references.json")))
            let logits = try Checkpoint(file: folder.appendingPathComponent("references.safetensors"))
                .tensor(named: "logits").scalars
            let labels = logits.count / json.images.count
            return References(images: json.images, top5: json.top5,
                              logits: (0..<json.images.count).map { Array(logits[($0 * labels)..<(($0 + 1) * labels)]) })
        }

        func bytes(_ image: Int) throws -> Data {
            try Data(contentsOf: PackageRoot.fixtures.appendingPathComponent(images[image]))
        }

        /// The largest |Δ logit| of `predictions` against image `image`'s reference.
        func error(of predictions: [JSONPrediction], image: Int) -> Float {
            predictions.map { abs($0.logit - logits[image][$0.index]) }.max() ?? .infinity
        }
    }

    @Test func labelsMatchTransformersAndTheLibraryExactly() async throws {
        let server = try await ServerProcess([])
        let references = try References.tiny()
        let classifier = try ImageClassifier(directory: URL(fileURLWithPath: ServerProcess.tinyModel))
        var worst: Float = 0
        for image in references.images.indices {
            let answer = try await server.classify(try references.bytes(image))
            #expect(answer.status == 200 && answer.header("Content-Type") == "application/json", "\(answer.text)")
            let predictions = try #require(JSONPrediction.list(in: answer.json))
            #expect(predictions.map(\.index) == references.top5[image], "\(references.images[image])")
            worst = max(worst, references.error(of: predictions, image: image))
            // One request at a time runs as a batch of one: the library's own call, bit for bit.
            let library = try classifier.classify(try references.bytes(image), topK: 5)
            #expect(predictions == library.map(JSONPrediction.init))
        }
        print("MEASURED vit-serve (tiny/f32) vs transformers: max |Δ logit| (top 5) = \(worst)")
        #expect(worst <= 2e-4)
    }

    @Test func concurrentClientsEachGetTheirOwnImagesLabels() async throws {
        let server = try await ServerProcess(["--max-batch", "4", "--max-wait-ms", "20"])
        let references = try References.tiny()
        let classifier = try ImageClassifier(directory: URL(fileURLWithPath: ServerProcess.tinyModel))
        // Each image must be told apart from the others by its logits, or the check means nothing.
        for a in references.images.indices {
            for b in references.images.indices where a != b {
                #expect(zip(references.logits[a], references.logits[b]).map { abs($0 - $1) }.max()! > 1e-3)
            }
        }
        let requests = (0..<24).map { (image: $0 % references.images.count, topK: 1 + $0 % 5) }
        try await withThrowingTaskGroup(of: (Int, Int, HTTPAnswer).self) { group in
            for request in requests {
                let bytes = try references.bytes(request.image)
                group.addTask { (request.image, request.topK, try await server.classify(bytes, query: "?top_k=\(request.topK)")) }
            }
            for try await (image, topK, answer) in group {
                #expect(answer.status == 200, "\(answer.text)")
                let predictions = try #require(JSONPrediction.list(in: answer.json))
                #expect(predictions.map(\.index) == Array(references.top5[image].prefix(topK)))
                #expect(references.error(of: predictions, image: image) <= 2e-4, "\(references.images[image])")
                // Batched with other clients' images, still the library's single-image result bit for bit.
                let library = try classifier.classify(try references.bytes(image), topK: topK)
                #expect(predictions == library.map(JSONPrediction.init))
            }
        }
        // They were batched: fewer passes than requests.
        let passes = try await server.metric("vit_serve_batch_size_count")
        #expect(passes < Double(requests.count), "\(passes) passes for \(requests.count) requests")
    }

    @Test func multipartFilesAreLabelledInOrderAndABadOneFailsAlone() async throws {
        let server = try await ServerProcess([])
        let references = try References.tiny()
        let truncated = try Data(contentsOf: PackageRoot.fixtures.appendingPathComponent("images/crafted/jpeg-truncated.jpg"))
        let answer = try await server.classify(files: [("a.jpg", try references.bytes(0)), ("broken.jpg", truncated),
                                                       ("c \"quoted\".png", try references.bytes(5))], query: "?top_k=3")
        #expect(answer.status == 200 && answer.header("Content-Type") == "application/x-ndjson", "\(answer.text)")
        let lines = answer.jsonLines
        #expect(lines.map { $0["path"] as? String } == ["a.jpg", "broken.jpg", "c \"quoted\".png"])
        #expect(JSONPrediction.list(in: lines[0])?.map(\.index) == Array(references.top5[0].prefix(3)))
        #expect((lines[1]["error"] as? String)?.contains("broken.jpg is a truncated JPEG") == true, "\(lines[1])")
        #expect(JSONPrediction.list(in: lines[2])?.map(\.index) == Array(references.top5[5].prefix(3)))
    }

    @Test func refusalsSayWhatIsWrongWithTheRightStatus() async throws {
        let server = try await ServerProcess(["--max-body-bytes", "200000", "--max-pixels", "100000"])
        let photo = try References.tiny().bytes(1)      // chelsea.jpg: 451×300 = 135 300 pixels
        func expectError(_ answer: HTTPAnswer, _ status: Int, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
            let message = answer.json["error"] as? String ?? ""
            #expect(message.contains(words), "\(message)", sourceLocation: sourceLocation)
        }
        expectError(try await server.classify(photo), 422, "135300 pixels, more than the limit of 100000")
        expectError(try await server.classify(Data(repeating: 0xFF, count: 200_001)), 413, "limit of 200000 bytes")
        expectError(try await server.classify(Data("<html>".utf8)), 422, "neither a JPEG nor a PNG")
        expectError(try await server.classify(Data()), 400, "body is empty")
        expectError(try await server.classify(photo, query: "?top_k=zero"), 400, "top_k")
        expectError(try await server.classify(photo, headers: ["Content-Type": "multipart/form-data"]), 400, "boundary")
        expectError(try await server.classify(Data("--x\r\nContent-Disposition: form-data; name=a\r\n\r\nabc".utf8),
                                              headers: ["Content-Type": "multipart/form-data; boundary=x"]),
                    400, "ends inside part 1")
        // A body over the limit, sent without a declared length, is cut off while it is read.
        expectError(try await server.send(method: "POST", "/v1/classify", body: Data(repeating: 1, count: 300_000),
                                          headers: ["Transfer-Encoding": "chunked"]), 413, "limit of 200000 bytes")
        // The server is unharmed.
        #expect(try await server.get("/health").status == 200)
    }
}
