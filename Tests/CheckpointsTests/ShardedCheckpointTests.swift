import Foundation
import Testing
@testable import Checkpoints
import TestSupport

@Suite struct ShardedCheckpointTests {
    /// A writable copy of the sharded fixture.
    private func copyOfShardedFixture() throws -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        for file in try FileManager.default.contentsOfDirectory(atPath: WeightFixtures.tinyViT("sharded").path) {
            try FileManager.default.copyItem(at: WeightFixtures.tinyViT("sharded").appendingPathComponent(file),
                                             to: directory.file(file))
        }
        return directory
    }

    private func rewriteIndex(in directory: TemporaryDirectory, _ transform: (inout [String: Any]) -> Void) throws -> URL {
        let url = directory.file(ShardIndex.fileName)
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        transform(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return url
    }

    @Test func shardedSaveLoadsLikeTheSingleFile() throws {
        let expected = try #require(WeightFixtures.expected.variants["sharded"])
        #expect(expected.files.count >= 3)
        let sharded = try Checkpoint.open(directory: WeightFixtures.tinyViT("sharded"))
        let single = try Checkpoint.open(directory: WeightFixtures.tinyViT("f32"))
        #expect(sharded.index != nil)
        #expect(sharded.files.map(\.url.lastPathComponent) == expected.files)
        #expect(Set(sharded.tensorNames) == Set(single.tensorNames))
        for name in single.tensorNames {
            #expect(try sharded.tensor(named: name).scalars == single.tensor(named: name).scalars, "\(name)")
            #expect(sharded.file(containing: name)?.url.lastPathComponent == expected.tensors[name]?.file)
        }
        #expect(sharded.byteCount > single.byteCount - 1024)
    }

    @Test func everyShardMustExist() throws {
        let directory = try copyOfShardedFixture()
        let missing = WeightFixtures.expected.variants["sharded"]!.files[1]
        try FileManager.default.removeItem(at: directory.file(missing))
        expectError(SafetensorsError.missingShard(index: directory.file(ShardIndex.fileName).path, shard: missing)) {
            _ = try Checkpoint.open(directory: directory.url)
        }
    }

    @Test func tensorsMustBeWhereTheIndexSays() throws {
        let directory = try copyOfShardedFixture()
        let shards = WeightFixtures.expected.variants["sharded"]!.files
        let tensor = "classifier.bias"
        let actual = WeightFixtures.expected.variants["sharded"]!.tensors[tensor]!.file
        let wrong = shards.first { $0 != actual }!
        let index = try rewriteIndex(in: directory) { json in
            var map = json["weight_map"] as! [String: String]
            map[tensor] = wrong
            json["weight_map"] = map
        }
        expectError(SafetensorsError.tensorMissingFromShard(index: index.path, tensor: tensor, shard: wrong)) {
            _ = try Checkpoint(index: index)
        }
        let ghost = try rewriteIndex(in: directory) { json in
            var map = json["weight_map"] as! [String: String]
            map[tensor] = actual
            map["not.in.any.shard"] = actual
            json["weight_map"] = map
        }
        expectError(SafetensorsError.tensorMissingFromShard(index: ghost.path, tensor: "not.in.any.shard", shard: actual)) {
            _ = try Checkpoint(index: ghost)
        }
    }

    @Test func aTensorInTwoShardsIsACollision() throws {
        let directory = TemporaryDirectory()
        let header = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        directory.write(SafetensorsBytes.file(header: header, data: SafetensorsBytes.f32([1])), to: "a.safetensors")
        directory.write(SafetensorsBytes.file(header: header, data: SafetensorsBytes.f32([2])), to: "b.safetensors")
        let index = directory.write(Array(#"{"weight_map": {"w": "a.safetensors", "x": "b.safetensors"}}"#.utf8),
                                    to: ShardIndex.fileName)
        expectError(SafetensorsError.tensorInSeveralShards(index: index.path, tensor: "w",
                                                           shards: ["a.safetensors", "b.safetensors"])) {
            _ = try Checkpoint(index: index)
        }
        // The same name twice in the weight map is a collision too (JSON parsers would keep one).
        let twice = directory.write(Array(#"{"weight_map": {"w": "a.safetensors", "w": "b.safetensors"}}"#.utf8),
                                    to: "twice.json")
        expectError(SafetensorsError.invalidIndex(file: twice.path, reason: "tensor \"w\" is listed twice in weight_map")) {
            _ = try ShardIndex(contentsOf: twice)
        }
    }

    @Test func malformedIndexes() {
        let directory = TemporaryDirectory()
        let cases: [(String, String)] = [
            ("[]", "the index is an array, not an object"),
            (#"{"metadata": {}}"#, "missing \"weight_map\""),
            (#"{"weight_map": []}"#, "\"weight_map\" is an array, not an object"),
            (#"{"weight_map": {}}"#, "\"weight_map\" is empty"),
            (#"{"weight_map": {"w": 3}}"#, "weight_map[\"w\"] is an integer, not a file name"),
            (#"{"weight_map": {"w": "../../etc/passwd"}}"#, "shard \"../../etc/passwd\" is not a file inside the model directory"),
            (#"{"weight_map": {"w": "/tmp/x.safetensors"}}"#, "shard \"/tmp/x.safetensors\" is not a file inside the model directory"),
            // A combining mark after the slash: one Character "/\u{650}", but the file system reads "..".
            ("{\"weight_map\": {\"w\": \"../\u{650}x.safetensors\"}}",
             "shard \"../\u{650}x.safetensors\" is not a file inside the model directory"),
            ("{\"weight_map\": {\"w\": \"/\u{650}x.safetensors\"}}",
             "shard \"/\u{650}x.safetensors\" is not a file inside the model directory"),
        ]
        for (json, reason) in cases {
            let url = directory.write(Array(json.utf8), to: "index.json")
            expectError(SafetensorsError.invalidIndex(file: url.path, reason: reason)) { _ = try ShardIndex(contentsOf: url) }
        }
    }

    /// Found by fuzzing: a shard name starting with a combining mark is an ordinary file name inside the
    /// folder (and its path starts with the folder's bytes, though not Character-wise with its string).
    @Test func aShardNameStartingWithACombiningMarkStaysInside() throws {
        let directory = TemporaryDirectory()
        let url = directory.write(Array("{\"weight_map\": {\"w\": \"\u{650}5ors\"}}".utf8), to: "index.json")
        let index = try ShardIndex(contentsOf: url)
        let resolved = index.url(ofShard: "\u{650}5ors").standardizedFileURL.path
        #expect(resolved.utf8.starts(with: (directory.url.standardizedFileURL.path + "/").utf8), "\(resolved)")
    }

    @Test func directoriesWithoutSafetensors() {
        let pickle = WeightFixtures.tinyViT("pickle-only")
        expectError(SafetensorsError.pickleWeightsOnly(directory: pickle.path, file: "pytorch_model.bin")) {
            _ = try Checkpoint.open(directory: pickle)
        }
        #expect(SafetensorsError.pickleWeightsOnly(directory: pickle.path, file: "pytorch_model.bin").description
            .contains("never unpickles"))
        let empty = TemporaryDirectory()
        expectError(SafetensorsError.noSafetensorsWeights(directory: empty.url.path)) { _ = try Checkpoint.open(directory: empty.url) }
    }
}
