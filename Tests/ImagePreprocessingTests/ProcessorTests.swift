import Foundation
import Testing
@testable import ImagePreprocessing

/// `pixel_values` against transformers 5.24's `ViTImageProcessorPil` / `DeiTImageProcessorPil`, for every
/// fixture image under the three main configurations and a subset under five more.
@Suite struct ProcessorTests {
    /// One processor per configuration, shared by all cases (and so also exercised concurrently).
    static let processors: [String: ImageProcessor] = Fixtures.index.configs.reduce(into: [:]) { result, entry in
        if let configuration = try? ImageProcessingConfiguration(contentsOf: Fixtures.url(entry.value.file)) {
            result[entry.key] = ImageProcessor(configuration: configuration)
        }
    }

    @Test(arguments: Fixtures.index.processed)
    func pixelValuesMatchTransformers(_ reference: ReferenceIndex.Processed) throws {
        let processor = try #require(Self.processors[reference.config], "configuration \(reference.config)")
        let configuration = try #require(Fixtures.index.configs[reference.config])
        try expectPixelValues(reference, processor: processor, configuration: configuration)
    }

    @Test func batchIsFilledInPlace() throws {
        let processor = ImageProcessor(configuration: .vitBasePatch16_224)
        let (height, width) = (try #require(processor.outputHeight), try #require(processor.outputWidth))
        #expect(height == 224 && width == 224 && processor.channelCount == 3)
        let files = ["photos/chelsea.jpg", "crafted/png-tiny-5x3.png", "crafted/orientation-8.jpg"]
        let images = try files.map { try ImageDecoder().decode(contentsOf: Fixtures.url($0)) }
        let perImage = 3 * height * width
        var batch = [Float](repeating: .nan, count: perImage * images.count)
        try batch.withUnsafeMutableBufferPointer { buffer in
            for (index, image) in images.enumerated() {
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(index * perImage)..<((index + 1) * perImage)])
                try processor.process(image, into: slice)
            }
        }
        for (index, image) in images.enumerated() {
            #expect(Array(batch[(index * perImage)..<((index + 1) * perImage)]) == processor.process(image))
        }
    }

    @Test func wrongBufferSizeIsATypedError() throws {
        let processor = ImageProcessor(configuration: .vitBasePatch16_224)
        let image = RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 7, count: 12))
        var buffer = [Float](repeating: 0, count: 10)
        let error = buffer.withUnsafeMutableBufferPointer { pointer in
            #expect(throws: ImageProcessingError.self) { try processor.process(image, into: pointer) }
        }
        #expect(error == .bufferSizeMismatch(expected: 3 * 224 * 224, actual: 10))
        #expect(processor.outputCount(for: image) == 3 * 224 * 224)
    }

    @Test func variableOutputSizesFollowTransformers() throws {
        let shortest = try ImageProcessingConfiguration(jsonData: Data(#"{"size": {"shortest_edge": 256}}"#.utf8))
        let processor = ImageProcessor(configuration: shortest)
        #expect(processor.outputHeight == nil && processor.outputWidth == nil)
        // int(256 * 1000 / 872) = 293; the height is the short side.
        #expect(processor.outputSize(forImageWidth: 1000, height: 872) == (293, 256))
        #expect(processor.outputSize(forImageWidth: 451, height: 300) == (384, 256))
        #expect(processor.outputSize(forImageWidth: 300, height: 451) == (256, 384))
        // get_size_with_aspect_ratio: 800 / 200 · 40 = 160 > 60, so the short side becomes round(60 · 200 / 800)
        // = round(15.0) = 15 and the long side int(15.0 · 800 / 200) = 60.
        #expect(ImageProcessor.sizeWithAspectRatio(width: 800, height: 200, shortest: 40, longest: 60) == (60, 15))
        // Python's round is banker's rounding: 60 · 10 / 24 = 25 exactly, 60 · 9 / 24 = 22.5 -> 22.
        #expect(ImageProcessor.sizeWithAspectRatio(width: 24, height: 9, shortest: 40, longest: 60) == (60, 22))
    }

    /// A `max_height` / `max_width` fit of a very thin image truncates a side to 0 (transformers then fails in
    /// Pillow); we keep one pixel, and every size the processor reports is the one it produces (found by
    /// fuzzing: Fuzz/Regressions/preprocessor-config/fit-of-a-thin-image-rounds-a-side-to-zero.json).
    @Test func aSideFittedToZeroPixelsIsKeptAtOneEverywhere() throws {
        let json = #"{"size": {"max_height": 2, "max_width": 30}, "resample": 5, "crop_size": 48}"#
        let configuration = try ImageProcessingConfiguration(jsonData: Data(json.utf8))
        for backend in ProcessorBackend.allCases {
            guard let processor = try? ImageProcessor(configuration: configuration, backend: backend) else { continue }
            let image = RGBImage(width: 2, height: 9, pixels: (0..<54).map { UInt8($0 * 4) })
            // min(2 / 9, 30 / 2) · 2 = 0.44 → int 0: one column.
            #expect(processor.resizedSize(forImageWidth: 2, height: 9) == (1, 2), "\(backend)")
            #expect(processor.outputSize(forImageWidth: 2, height: 9) == (1, 2), "\(backend)")
            let values = processor.process(image)
            #expect(values.count == processor.outputCount(for: image) && values.count == 3 * 2, "\(backend)")
        }
    }

    @Test func processingIsSafeConcurrently() async throws {
        let processor = ImageProcessor(configuration: .vitBasePatch16_224)
        let images = try ["photos/astronaut.jpg", "photos/coffee.jpg", "crafted/jpeg-strip-1000x40.jpg"].map {
            try ImageDecoder().decode(contentsOf: Fixtures.url($0))
        }
        let expected = images.map { processor.process($0) }
        let results = await withTaskGroup(of: (Int, [Float]).self) { group in
            for _ in 0..<3 {
                for (index, image) in images.enumerated() {
                    group.addTask { (index, processor.process(image)) }
                }
            }
            var results: [(Int, [Float])] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(results.count == 9)
        for (index, values) in results { #expect(values == expected[index]) }
    }

    @Test func centerCropPadsWithZeros() {
        // A 2×1 image cropped to 4×3: transformers puts it at row ceil(2/2) = 1, column ceil(2/2) = 1.
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        var output = [UInt8](repeating: 99, count: 4 * 3 * 3)
        output.withUnsafeMutableBufferPointer { buffer in
            ImageProcessor.centerCrop(image, to: .init(height: 3, width: 4), backend: .pillow, into: buffer.baseAddress!)
        }
        var expected = [UInt8](repeating: 0, count: 36)
        expected.replaceSubrange(15..<21, with: [1, 2, 3, 4, 5, 6])
        #expect(output == expected)
    }
}
