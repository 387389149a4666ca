import Foundation
import Tensors

/// A model's weights: one safetensors file, or several shards listed by a
/// `model.safetensors.index.json`, presented as one set of named Float32 tensors.
///
/// ```swift
/// let checkpoint = try Checkpoint.open(directory: modelFiles.directory)
/// let weight = try checkpoint.tensor(named: "classifier.weight")
/// print(checkpoint.openDuration)   // milliseconds: files are memory-mapped, not read
/// ```
public final class Checkpoint: NamedTensors {
    /// The conventional name of a single-file checkpoint.
    public static let singleFileName = "model.safetensors"
    /// Names of pickled PyTorch checkpoints, recognised only to explain that they are refused.
    public static let pickleFileNames = ["pytorch_model.bin", "pytorch_model.bin.index.json"]

    /// The opened safetensors files (one, or one per shard).
    public let files: [SafetensorsFile]
    /// The shard index, for a sharded checkpoint.
    public let index: ShardIndex?
    /// How long opening took: mapping every file and validating headers (and the index).
    public let openDuration: Duration
    /// The names of all tensors: shard by shard, each in file order.
    public let tensorNames: [String]

    private let locations: [String: Int]

    /// Opens a single safetensors file.
    public convenience init(file url: URL) throws(SafetensorsError) {
        let clock = ContinuousClock()
        let start = clock.now
        let file = try SafetensorsFile(contentsOf: url)
        self.init(files: [file], index: nil, locations: Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, 0) }),
                  names: file.tensorNames, duration: clock.now - start)
    }

    /// Opens a sharded checkpoint from its index, checking that every shard exists, that every
    /// tensor is where the index says, and that no tensor name appears in two shards.
    public convenience init(index url: URL) throws(SafetensorsError) {
        let clock = ContinuousClock()
        let start = clock.now
        let index = try ShardIndex(contentsOf: url)
        var files: [SafetensorsFile] = []
        var fileNumber: [String: Int] = [:]
        for shard in index.shardNames {
            let shardURL = index.url(ofShard: shard)
            guard FileManager.default.fileExists(atPath: shardURL.path) else {
                throw .missingShard(index: url.path, shard: shard)
            }
            fileNumber[shard] = files.count
            files.append(try SafetensorsFile(contentsOf: shardURL))
        }
        var locations: [String: Int] = [:]
        var names: [String] = []
        for (number, file) in files.enumerated() {
            for name in file.tensorNames {
                if let other = locations[name] {
                    throw .tensorInSeveralShards(index: url.path, tensor: name,
                                                 shards: [index.shardNames[other], index.shardNames[number]])
                }
                locations[name] = number
                names.append(name)
            }
        }
        for (tensor, shard) in index.weightMap {
            // fileNumber has every shard of the weight map by construction.
            guard let number = fileNumber[shard], locations[tensor] == number else {
                throw .tensorMissingFromShard(index: url.path, tensor: tensor, shard: shard)
            }
        }
        self.init(files: files, index: index, locations: locations, names: names, duration: clock.now - start)
    }

    private init(files: [SafetensorsFile], index: ShardIndex?, locations: [String: Int], names: [String],
                 duration: Duration) {
        self.files = files
        self.index = index
        self.locations = locations
        self.tensorNames = names
        self.openDuration = duration
    }

    /// Opens the checkpoint in a model directory the way transformers looks for one:
    /// `model.safetensors`, else `model.safetensors.index.json` and its shards.
    ///
    /// - Throws: ``SafetensorsError/pickleWeightsOnly(directory:file:)`` if the directory only has
    ///   `pytorch_model.bin` (never unpickled), ``SafetensorsError/noSafetensorsWeights(directory:)``
    ///   if it has no weights at all, or any error of opening the files.
    public static func open(directory: URL) throws(SafetensorsError) -> Checkpoint {
        let fileManager = FileManager.default
        let single = directory.appendingPathComponent(singleFileName)
        if fileManager.fileExists(atPath: single.path) { return try Checkpoint(file: single) }
        let index = directory.appendingPathComponent(ShardIndex.fileName)
        if fileManager.fileExists(atPath: index.path) { return try Checkpoint(index: index) }
        for pickle in pickleFileNames where fileManager.fileExists(atPath: directory.appendingPathComponent(pickle).path) {
            throw .pickleWeightsOnly(directory: directory.path, file: pickle)
        }
        throw .noSafetensorsWeights(directory: directory.path)
    }

    /// The file holding the tensor called `name`, or `nil` if there is none.
    public func file(containing name: String) -> SafetensorsFile? {
        locations[name].map { files[$0] }
    }

    /// The header entry of the tensor called `name` (its stored dtype, shape and bytes).
    public func info(of name: String) -> SafetensorsTensorInfo? {
        file(containing: name)?.info(of: name)
    }

    /// The shape of the tensor called `name`, or `nil` if there is none.
    public func shape(of name: String) -> [Int]? {
        info(of: name)?.shape
    }

    /// The tensor called `name` as Float32: zero-copy for aligned F32, converted otherwise. See
    /// ``SafetensorsFile/tensor(named:)``.
    public func tensor(named name: String) throws(SafetensorsError) -> Tensor {
        guard let file = file(containing: name) else {
            throw .tensorNotFound(file: index?.url.path ?? files.first?.url.path ?? "checkpoint", tensor: name)
        }
        return try file.tensor(named: name)
    }

    /// The `__metadata__` of the (first) file, e.g. `["format": "pt"]`.
    public var metadata: [String: String] { files.first?.metadata ?? [:] }

    /// The total size of the checkpoint's files in bytes.
    public var byteCount: Int { files.reduce(0) { $0 + $1.fileSize } }

    /// Bytes of the checkpoint's files currently resident through their mappings (Linux).
    public var residentByteCount: Int? {
        var total = 0
        for file in files {
            guard let resident = file.residentByteCount else { return nil }
            total += resident
        }
        return total
    }
}
