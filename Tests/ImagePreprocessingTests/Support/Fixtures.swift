import Foundation
import TestSupport
import Testing
@testable import ImagePreprocessing

/// The committed image fixtures and their reference index (Fixtures/images, written by
/// Fixtures/generate/images.py with Pillow and transformers).
enum Fixtures {
    /// `<package root>/Fixtures/images`.
    static let directory = PackageRoot.fixtures.appendingPathComponent("images")

    /// `references/index.json`, parsed once; a failure is kept so that a test can report it (the
    /// parameterized tests would otherwise silently have no cases).
    static let loadedIndex: Result<ReferenceIndex, FixtureError> = {
        let url = directory.appendingPathComponent("references/index.json")
        do {
            return .success(try JSONDecoder().decode(ReferenceIndex.self, from: Data(contentsOf: url)))
        } catch {
            return .failure(FixtureError("cannot read the fixture index \(url.path): \(error)"))
        }
    }()

    /// The index, or an empty one if it could not be read (``loadedIndex`` then holds the error).
    static var index: ReferenceIndex {
        (try? loadedIndex.get()) ?? ReferenceIndex(versions: [:], decoded: [], errors: [], processed: [],
                                                   resample: [], configs: [:], processedTorchvision: [],
                                                   configsTorchvision: [:], torchvisionErrors: [:])
    }

    /// The URL of a fixture file given relative to Fixtures/images.
    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// A reference array: zlib-compressed, row-delta filtered uint8 (see images.py), of `rows × rowLength`.
    static func array(_ relative: String, rows: Int, rowLength: Int, channels: Int) throws -> [UInt8] {
        let compressed = try Data(contentsOf: url(relative))
        let expected = rows * rowLength * channels
        guard case .complete(var bytes) = Zlib.inflate([UInt8](compressed)[...], limit: expected),
              bytes.count == expected else {
            throw FixtureError("\(relative) does not inflate to \(expected) bytes")
        }
        // Undo the delta filter: each byte was stored minus the same channel of the pixel to its left.
        bytes.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<rows {
                let start = row * rowLength * channels
                for index in (start + channels)..<(start + rowLength * channels) {
                    buffer[index] = buffer[index] &+ buffer[index - channels]
                }
            }
        }
        return bytes
    }
}

/// zlib's CRC-32 of the bytes of `values`, as Python's `zlib.crc32(array.tobytes())` computes it.
func crc32<T>(of values: [T]) -> UInt32 {
    values.withUnsafeBytes { Zlib.crc32($0) }
}

/// A fixture that cannot be read as the index describes.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The parts of references/index.json the tests use.
struct ReferenceIndex: Decodable {
    struct Decoded: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let file: String
        let width: Int
        let height: Int
        let expected: String
        let crc32: UInt32
        let pixels: String?
        var testDescription: String { name }
    }

    struct Failure: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let file: String
        let error: String
        let pillow: String
        var testDescription: String { name }
    }

    struct Configuration: Decodable, Sendable {
        let file: String
        /// Per channel, the sorted distinct float32 outputs (IEEE bit patterns).
        let tables: [[UInt32]]
    }

    struct Processed: Decodable, Sendable, CustomTestStringConvertible {
        let config: String
        let image: String
        let shape: [Int]
        let crc32: UInt32
        let grid: String
        let indices: String?
        var testDescription: String { "\(config)/\(image)" }
    }

    struct ResampleInput: Decodable, Sendable {
        struct Output: Decodable, Sendable {
            let filter: Int
            let width: Int
            let height: Int
            let pixels: String
        }

        /// A torchvision `resize` reference; `pixels` is nil where torch itself failed (`torchError`).
        struct TorchvisionOutput: Decodable, Sendable {
            let filter: Int
            let width: Int
            let height: Int
            let pixels: String?
            let torchError: String?

            enum CodingKeys: String, CodingKey {
                case filter, width, height, pixels
                case torchError = "torch_error"
            }
        }

        let name: String
        let width: Int
        let height: Int
        let pixels: String
        let outputs: [Output]
        let outputsTorchvision: [TorchvisionOutput]

        enum CodingKeys: String, CodingKey {
            case name, width, height, pixels, outputs
            case outputsTorchvision = "outputs_torchvision"
        }
    }

    let versions: [String: String]
    let decoded: [Decoded]
    let errors: [Failure]
    let processed: [Processed]
    let resample: [ResampleInput]
    let configs: [String: Configuration]
    /// The torchvision backend's (`ViTImageProcessor`, `DeiTImageProcessor`) outputs and value tables.
    let processedTorchvision: [Processed]
    let configsTorchvision: [String: Configuration]
    /// Configurations the torchvision backend refuses, with transformers' exception.
    let torchvisionErrors: [String: String]

    enum CodingKeys: String, CodingKey {
        case versions, decoded, errors, processed, resample, configs
        case processedTorchvision = "processed_torchvision"
        case configsTorchvision = "configs_torchvision"
        case torchvisionErrors = "torchvision_errors"
    }
}

/// How two byte or float arrays differ.
struct Difference: CustomStringConvertible {
    var maximum: Double = 0
    var count = 0
    var firstIndex: Int?

    /// Compares bit patterns, so −0 against 0 or a different NaN counts as a difference, as a hash would.
    init(_ actual: [Float], _ expected: [Float]) {
        precondition(actual.count == expected.count)
        actual.withUnsafeBufferPointer { a in
            expected.withUnsafeBufferPointer { e in
                for index in 0..<a.count where a[index].bitPattern != e[index].bitPattern {
                    let delta = abs(Double(a[index]) - Double(e[index]))
                    maximum = max(maximum, delta.isNaN ? .infinity : delta)
                    count += 1
                    if firstIndex == nil { firstIndex = index }
                }
            }
        }
    }

    init(_ actual: [UInt8], _ expected: [UInt8]) {
        precondition(actual.count == expected.count)
        actual.withUnsafeBufferPointer { a in
            expected.withUnsafeBufferPointer { e in
                for index in 0..<a.count where a[index] != e[index] {
                    maximum = max(maximum, Double(abs(Int(a[index]) - Int(e[index]))))
                    count += 1
                    if firstIndex == nil { firstIndex = index }
                }
            }
        }
    }

    var isZero: Bool { count == 0 }

    var description: String {
        guard let firstIndex else { return "identical" }
        return "max |Δ| = \(maximum) over \(count) differing values (first at flat index \(firstIndex))"
    }
}
