import Foundation
import Testing
@testable import WeightLoading

/// Where the committed fixtures live: found from this file's path, walking up to the package root.
enum Fixtures {
    static let root: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.appendingPathComponent("Fixtures")
            }
            directory.deleteLastPathComponent()
        }
        fatalError("package root not found above \(#filePath)")
    }()

    static let weights = root.appendingPathComponent("weights")
    static func tinyViT(_ variant: String) -> URL { weights.appendingPathComponent("tiny-vit/\(variant)") }
    static let hfCache = weights.appendingPathComponent("hf-cache")
    static func config(_ name: String) -> URL { weights.appendingPathComponent("configs/\(name).json") }

    /// `Fixtures/weights/expected.json`, written by Fixtures/generate/weights.py.
    static let expected: Expected = {
        let data = try! Data(contentsOf: weights.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode(Expected.self, from: data)
    }()

    struct Expected: Decodable {
        let repo_id: String
        let commit: String
        let variants: [String: Variant]
    }

    struct Variant: Decodable {
        let files: [String]
        let tensors: [String: TensorInfo]
    }

    struct TensorInfo: Decodable {
        let dtype: String
        let shape: [Int]
        let file: String
        let first_values: [Double]?
        let values_hex: [UInt32]?
        let sum: Double?
    }
}

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftvit-weights-\(UUID().uuidString)", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `bytes` to a file called `name` and returns its URL.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) -> URL {
        let url = file(name)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! Data(bytes).write(to: url)
        return url
    }

    /// Every path below the directory (relative), including hidden ones, sorted.
    func allPaths() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: url.path) else { return [] }
        return (enumerator.allObjects as? [String] ?? []).sorted()
    }
}

/// Builds safetensors files byte by byte, so every malformation can be expressed.
enum SafetensorsBytes {
    /// `8-byte length ‖ header ‖ data`; `declaredLength` overrides the length field.
    static func file(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        file(headerBytes: Array(header.utf8), data: data, declaredLength: declaredLength)
    }

    static func file(headerBytes: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        let length = declaredLength ?? UInt64(headerBytes.count)
        return withUnsafeBytes(of: length.littleEndian, Array.init) + headerBytes + data
    }

    /// Little-endian bytes of Float32 values.
    static func f32(_ values: [Float]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    }

    /// Little-endian bytes of Float64 values.
    static func f64(_ values: [Double]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    }

    /// Little-endian bytes of 16-bit patterns.
    static func u16(_ values: [UInt16]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
    }
}

/// Expects `body` to throw exactly `expected`.
func expectError<E: Error & Equatable>(_ expected: E, sourceLocation: SourceLocation = #_sourceLocation,
                                       _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(expected), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as E {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects the async `body` to throw exactly `expected`.
func expectError<E: Error & Equatable>(_ expected: E, sourceLocation: SourceLocation = #_sourceLocation,
                                       _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(expected), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as E {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}
