// libFuzzer entry point: any bytes as a preprocessor_config.json → ImageProcessingConfiguration →
// ImageProcessor (each backend that accepts it) → pixel values of small images.
//
// Checks, beyond ASan's: the sizes the processor computes for an image do not trap, and when they
// are small enough to try, processing gives the promised number of values.
import Foundation
import FuzzSupport
import ImagePreprocessing

/// Small test images: square, wide, tall, 1 pixel.
let images: [RGBImage] = [(5, 5), (7, 3), (2, 9), (1, 1)].map { width, height in
    RGBImage(width: width, height: height,
             pixels: (0..<(width * height * RGBImage.channelCount)).map { UInt8(truncatingIfNeeded: $0 &* 37) })
}
/// Outputs larger than this are only sized, not computed: a configuration may legitimately ask
/// for 10,000 × 10,000 pixels, which takes too long to fill on every run.
let maximumPixels = 1 << 20

/// Whether `size` has at most ``maximumPixels`` pixels (and is not negative).
func isSmall(_ size: (width: Int, height: Int)) -> Bool {
    let (pixels, overflow) = size.width.multipliedReportingOverflow(by: size.height)
    return size.width >= 0 && size.height >= 0 && !overflow && pixels <= maximumPixels
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPreprocessorConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = inputData(start, count)
    guard let configuration = try? ImageProcessingConfiguration(jsonData: data, source: "preprocessor_config.json")
    else { return 0 }
    for backend in ProcessorBackend.allCases {
        guard let processor = try? ImageProcessor(configuration: configuration, backend: backend) else { continue }
        for image in images {
            let resized = processor.resizedSize(forImageWidth: image.width, height: image.height)
            let output = processor.outputSize(forImageWidth: image.width, height: image.height)
            guard isSmall(resized), isSmall(output) else { continue }
            let values = processor.process(image)
            precondition(values.count == processor.outputCount(for: image), "pixel value count")
        }
    }
    return 0
}

/// The entry point of debug builds (see ``runFuzzer(_:_:_:)``).
@_cdecl("FuzzPreprocessorConfig_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzPreprocessorConfig)
}
