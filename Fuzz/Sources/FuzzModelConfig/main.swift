// libFuzzer entry point: any bytes as a model's config.json → ViTConfiguration.
//
// Checks, beyond ASan's: an accepted configuration passes its own validate(), and the sizes the
// model derives from it (head size, patches, sequence length) can be computed without trapping.
import Foundation
import FuzzSupport
import VisionTransformer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = inputData(start, count)
    guard let configuration = try? ViTConfiguration(jsonData: data, path: "config.json") else { return 0 }
    do {
        try configuration.validate()
    } catch {
        preconditionFailure("an accepted configuration fails validate(): \(error)")
    }
    precondition(configuration.headSize * configuration.numAttentionHeads == configuration.hiddenSize)
    precondition(configuration.sequenceLength > 1 && configuration.numLabels == configuration.labels.count)
    return 0
}

/// The entry point of debug builds (see ``runFuzzer(_:_:_:)``).
@_cdecl("FuzzModelConfig_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzModelConfig)
}
