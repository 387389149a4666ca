import Foundation
import TestSupport
import Checkpoints
import SwiftViT
import Testing

/// The committed fixtures, the golden references, and scratch folders.
enum TestFixtures {
    /// The package's root folder (holding Package.swift).
    static let packageRoot = PackageRoot.url

    static let fixtures = packageRoot.appendingPathComponent("Fixtures")

    /// The tiny model the CLI tests label with (two layers, 32×32 inputs: fast).
    static let model = fixtures.appendingPathComponent("models/tiny/f32")

    /// A photo for runs that only need some image.
    static let photo = fixtures.appendingPathComponent("images/photos/chelsea.jpg")

    /// transformers' results for `folder` (default ``model``): image paths (relative to Fixtures/), their
    /// top-5 class indices, and their logits — those of the default `pipeline(...)` (torchvision backend,
    /// what vit-classify reproduces by default), or of the Pillow-backend processor for `--processor pillow`.
    struct References {
        let images: [String]
        let top5: [[Int]]
        let logits: [Float]
        let labelCount: Int

        func logit(image: Int, index: Int) -> Float { logits[image * labelCount + index] }
    }

    static func references(_ folder: URL = model, backend: ProcessorBackend = .torchvision) throws -> References {
        struct JSON: Decodable {
            struct Pipeline: Decodable { let top5: [[Int]] }
            let images: [String]
            let top5: [[Int]]
            let pipeline: Pipeline
        }
        let json = try JSONDecoder().decode(JSON.self, from: Data(contentsOf: folder.appendingPathComponent("references.json")))
        let name = backend == .torchvision ? "pipeline_logits" : "logits"
        let tensor = try Checkpoint(file: folder.appendingPathComponent("references.safetensors")).tensor(named: name)
        let logits = tensor.scalars
        return References(images: json.images, top5: backend == .torchvision ? json.pipeline.top5 : json.top5,
                          logits: logits, labelCount: logits.count / json.images.count)
    }

    /// A new empty folder, removed when the returned object is.
    static func scratchFolder() throws -> ScratchFolder { try ScratchFolder() }

    /// Copies `source` (a path relative to Fixtures/) to `destination`, creating folders.
    static func copy(_ source: String, to destination: URL) throws {
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent(source), to: destination)
    }
}

/// A temporary folder that deletes itself.
final class ScratchFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vit-classify-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Parsing of the command's JSONL output.
enum JSONLines {
    /// One parsed record.
    struct Record {
        var path: String
        var predictions: [(label: String, index: Int, score: Double, logit: Double)]?
        var error: String?
    }

    /// The records of `text`; every line must be a complete, valid JSON object of the schema.
    static func records(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [Record] {
        #expect(text.isEmpty || text.hasSuffix("\n"), "output ends with a partial line", sourceLocation: sourceLocation)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = object["path"] as? String
            else {
                Issue.record("not a JSONL record: \(line)", sourceLocation: sourceLocation)
                return nil
            }
            var record = Record(path: path)
            record.error = object["error"] as? String
            if let predictions = object["predictions"] as? [[String: Any]] {
                record.predictions = predictions.map {
                    ($0["label"] as? String ?? "?", ($0["index"] as? NSNumber)?.intValue ?? -1,
                     ($0["score"] as? NSNumber)?.doubleValue ?? .nan, ($0["logit"] as? NSNumber)?.doubleValue ?? .nan)
                }
            }
            #expect((record.predictions == nil) != (record.error == nil), "\(line)", sourceLocation: sourceLocation)
            return record
        }
    }
}

/// Parsing of the command's CSV output (RFC 4180), written independently of the command's own
/// reader.
enum CSVRows {
    /// The rows of `text`, each a list of unquoted fields; `text` must end with a line end.
    static func rows(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [[String]] {
        #expect(text.isEmpty || text.hasSuffix("\n"), "output ends with a partial row", sourceLocation: sourceLocation)
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                } else {
                    field.unicodeScalars.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.unicodeScalars.append(character)
            }
        }
        return rows
    }
}
