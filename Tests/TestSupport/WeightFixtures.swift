import Foundation

/// The weight fixtures under `Fixtures/weights/`, written by `Fixtures/generate/weights.py`.
public enum WeightFixtures {
    public static let weights = PackageRoot.fixtures.appendingPathComponent("weights")
    public static func tinyViT(_ variant: String) -> URL { weights.appendingPathComponent("tiny-vit/\(variant)") }
    public static let hfCache = weights.appendingPathComponent("hf-cache")
    public static func config(_ name: String) -> URL { weights.appendingPathComponent("configs/\(name).json") }

    /// `Fixtures/weights/expected.json`, written by Fixtures/generate/weights.py.
    public static let expected: Expected = {
        let data = try! Data(contentsOf: weights.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode(Expected.self, from: data)
    }()

    public struct Expected: Decodable, Sendable {
        public let repo_id: String
        public let commit: String
        public let variants: [String: Variant]
    }

    public struct Variant: Decodable, Sendable {
        public let files: [String]
        public let tensors: [String: TensorInfo]
    }

    public struct TensorInfo: Decodable, Sendable {
        public let dtype: String
        public let shape: [Int]
        public let file: String
        public let first_values: [Double]?
        public let values_hex: [UInt32]?
        public let sum: Double?
    }
}

