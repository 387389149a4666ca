// libFuzzer entry point: any bytes → ImageDecoder → RGBImage → ImageProcessor (both backends) → pixel values.
//
// Checks, beyond "no crash, no leak, no out-of-bounds access" (ASan): a decoded image has
// width × height × 3 bytes and the size its header declares (or that size turned by the EXIF
// orientation); the pixel values have the count outputCount promises and are finite.
import Foundation
import FuzzSupport
import ImagePreprocessing

// 4 Mpx, not Pillow's 179 Mpx: a few bytes can declare an image that large, and decoding it is
// legitimate but makes each run seconds long. The limit's own code path is fuzzed all the same.
let decoder = ImageDecoder(maximumPixelCount: 1 << 22)
let processors = ProcessorBackend.allCases.map { backend in
    try! ImageProcessor(configuration: .vitBasePatch16_224, backend: backend)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = inputData(start, count)
    let declared = try? decoder.header(of: data)
    guard let image = try? decoder.decode(data, source: "fuzz input") else { return 0 }
    precondition(image.width > 0 && image.height > 0, "decoded an empty image")
    precondition(image.pixels.count == image.width * image.height * RGBImage.channelCount, "pixel buffer size")
    if let declared {
        let sizes = [(declared.width, declared.height), (declared.height, declared.width)]
        precondition(sizes.contains { $0 == (image.width, image.height) },
                     "header says \(declared.width)×\(declared.height), decoded \(image.width)×\(image.height)")
    } else {
        preconditionFailure("decoded an image whose header could not be read")
    }
    for processor in processors {
        let values = processor.process(image)
        precondition(values.count == processor.outputCount(for: image), "pixel value count")
        for value in values where !value.isFinite { preconditionFailure("non-finite pixel value \(value)") }
    }
    return 0
}

/// The entry point of debug builds (see ``runFuzzer(_:_:_:)``).
@_cdecl("FuzzImage_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzImage)
}
