// libFuzzer entry point: any bytes as a model.safetensors.index.json → ShardIndex.
//
// Checks, beyond ASan's: every shard an accepted index names resolves inside the index's folder
// (an index downloaded from anywhere must not make us open files elsewhere).
import Foundation
import FuzzSupport
import Checkpoints

let folder = URL(fileURLWithPath: "/fuzz/model")
let indexURL = folder.appendingPathComponent(ShardIndex.fileName)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShardIndex(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = inputData(start, count)
    guard let index = try? ShardIndex(data: data, url: indexURL) else { return 0 }
    precondition(!index.weightMap.isEmpty, "accepted an empty weight map")
    for shard in index.shardNames {
        let resolved = index.url(ofShard: shard).standardizedFileURL.path
        // Bytes, not Characters: "/fuzz/model/" + a combining mark is not Character-wise a prefix match.
        precondition(resolved.utf8.starts(with: (folder.path + "/").utf8), "shard \(shard) resolves to \(resolved)")
    }
    return 0
}

/// The entry point of debug builds (see ``runFuzzer(_:_:_:)``).
@_cdecl("FuzzShardIndex_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzShardIndex)
}
