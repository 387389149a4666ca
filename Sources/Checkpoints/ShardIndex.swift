import StrictJSON
import Foundation

/// A `model.safetensors.index.json`: which shard file holds each tensor of a sharded checkpoint,
/// as written by transformers' `save_pretrained(max_shard_size: …)`.
///
/// ```json
/// {"metadata": {"total_size": 343214864},
///  "weight_map": {"classifier.bias": "model-00002-of-00002.safetensors", …}}
/// ```
public struct ShardIndex: Sendable {
    /// The index file's conventional name.
    public static let fileName = "model.safetensors.index.json"
    /// The index file.
    public let url: URL
    /// Tensor name → shard file name (relative to the index's directory), in document order.
    public let weightMap: [(tensor: String, shard: String)]

    /// The distinct shard file names, in order of first appearance.
    public var shardNames: [String] {
        var seen = Set<String>()
        return weightMap.map(\.shard).filter { seen.insert($0).inserted }
    }

    /// Reads and validates the index at `url`.
    ///
    /// - Throws: ``SafetensorsError/invalidIndex(file:reason:)`` if the file is unreadable, not
    ///   JSON, has no `weight_map` of strings, maps a tensor twice, or names a shard outside its
    ///   directory.
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let bytes: [UInt8]
        do {
            bytes = try JSONFile.contents(of: url)
        } catch {
            throw .invalidIndex(file: url.path, reason: "cannot read: \(error)")
        }
        try self.init(bytes: bytes, url: url)
    }

    /// Parses an index held in memory; `url` locates it (and its shards) for messages and lookups.
    public init(data: Data, url: URL) throws(SafetensorsError) {
        try self.init(bytes: Array(data), url: url)
    }

    private init(bytes: [UInt8], url: URL) throws(SafetensorsError) {
        let path = url.path
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes, duplicateKeys: .reject)
        } catch {
            if case .duplicateKey(let key) = error.problem, error.depth == 2 {
                throw .invalidIndex(file: path, reason: "tensor \"\(key)\" is listed twice in weight_map")
            }
            throw .invalidIndex(file: path, reason: error.description)
        }
        guard case .object(let root) = json else {
            throw .invalidIndex(file: path, reason: "the index is \(json.kindDescription), not an object")
        }
        guard let weightMapValue = root["weight_map"] else {
            throw .invalidIndex(file: path, reason: "missing \"weight_map\"")
        }
        guard case .object(let weightMapObject) = weightMapValue else {
            throw .invalidIndex(file: path, reason: "\"weight_map\" is \(weightMapValue.kindDescription), not an object")
        }
        var weightMap: [(tensor: String, shard: String)] = []
        for (tensor, value) in weightMapObject.members {
            guard case .string(let shard) = value else {
                throw .invalidIndex(file: path, reason: "weight_map[\"\(tensor)\"] is \(value.kindDescription), not a file name")
            }
            guard Self.isSafeRelativePath(shard) else {
                throw .invalidIndex(file: path, reason: "shard \"\(shard)\" is not a file inside the model directory")
            }
            weightMap.append((tensor, shard))
        }
        guard !weightMap.isEmpty else { throw .invalidIndex(file: path, reason: "\"weight_map\" is empty") }
        self.url = url
        self.weightMap = weightMap
    }

    /// The URL of a shard, next to the index.
    public func url(ofShard shard: String) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(shard)
    }

    /// Whether `path` is relative and stays inside its directory (no `..`, no leading `/`), so an
    /// index downloaded from anywhere cannot make us open or download files elsewhere.
    ///
    /// Checked on the UTF-8 bytes the file system will see, not on Characters: a combining mark after `/`
    /// makes one grapheme of the two, so `"../\u{650}x"` split Character-wise is a single component, while
    /// the file system reads `..` and leaves the directory.
    package static func isSafeRelativePath(_ path: String) -> Bool {
        let bytes = path.utf8
        guard let first = bytes.first, first != UInt8(ascii: "/"),
              !bytes.contains(UInt8(ascii: "\\")), !bytes.contains(0) else { return false }
        return bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy { component in
            !component.isEmpty && !component.elementsEqual(".".utf8) && !component.elementsEqual("..".utf8)
        }
    }
}
