// libFuzzer entry point: any bytes as a safetensors file → SafetensorsHeader, and when that
// validates, SafetensorsFile (memory-mapped from a file) → every tensor as Float32.
//
// Checks, beyond ASan's: every tensor's byte range lies inside the data section and holds exactly
// its elements; every tensor reads back with its shape's element count.
import Foundation
import FuzzSupport
import Checkpoints

// One scratch file per process (libFuzzer's -fork/-jobs run several), in memory where possible.
let scratch: URL = {
    let folder = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return URL(fileURLWithPath: folder).appendingPathComponent("fuzz-safetensors-\(getpid()).safetensors")
}()
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count)
    guard let header = try? SafetensorsHeader(parsing: bytes, path: "fuzz.safetensors") else { return 0 }
    let dataSize = count - header.dataOffset
    for tensor in header.tensors {
        precondition(tensor.byteRange.lowerBound >= 0 && tensor.byteRange.upperBound <= dataSize, "range outside data")
        precondition(tensor.byteRange.count * 8 == tensor.elementCount * tensor.dtype.bitWidth, "range size")
    }
    // Removed as soon as it is mapped: nothing is left behind, however the run ends.
    defer { unlink(scratch.path) }
    guard (try? Data(bytes).write(to: scratch)) != nil,
          let file = try? SafetensorsFile(contentsOf: scratch) else {
        preconditionFailure("a header that validated in memory did not open from a file")
    }
    for name in file.tensorNames {
        guard let tensor = try? file.tensor(named: name) else { continue }
        precondition(tensor.scalars.count == file.info(of: name)!.elementCount, "element count of \(name)")
    }
    return 0
}

/// The entry point of debug builds (see ``runFuzzer(_:_:_:)``).
@_cdecl("FuzzSafetensors_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzSafetensors)
}
