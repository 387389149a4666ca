import Foundation
import Testing
@testable import ImagePreprocessing

/// `pixel_values` against transformers 5.24's torchvision backend (`ViTImageProcessor`, `DeiTImageProcessor`
/// with torch 2.15 and torchvision 0.29), and the resize alone against `torchvision…functional.resize`.
@Suite struct TorchvisionBackendTests {
    static let processors: [String: ImageProcessor] = Fixtures.index.configsTorchvision.reduce(into: [:]) {
        result, entry in
        if let configuration = try? ImageProcessingConfiguration(contentsOf: Fixtures.url(entry.value.file)) {
            result[entry.key] = try? ImageProcessor(configuration: configuration, backend: .torchvision)
        }
    }

    @Test(arguments: Fixtures.index.processedTorchvision)
    func pixelValuesMatchTheTorchvisionBackend(_ reference: ReferenceIndex.Processed) throws {
        let processor = try #require(Self.processors[reference.config], "configuration \(reference.config)")
        #expect(processor.backend == .torchvision)
        let configuration = try #require(Fixtures.index.configsTorchvision[reference.config])
        try expectPixelValues(reference, processor: processor, configuration: configuration)
    }

    @Test func everyConfigurationIsCoveredOrRefused() {
        let covered = Set(Fixtures.index.configsTorchvision.keys), refused = Set(Fixtures.index.torchvisionErrors.keys)
        #expect(covered.union(refused) == Set(Fixtures.index.configs.keys) && covered.isDisjoint(with: refused))
        #expect(refused == ["box-square", "fit-hamming-crop"])
        // The three main configurations run on every decodable fixture image, as for the Pillow backend.
        for name in ["vit-base-patch16-224", "bicubic-384-imagenet", "deit-shortest-256-crop-224"] {
            #expect(Fixtures.index.processedTorchvision.count { $0.config == name } == Fixtures.index.decoded.count)
        }
    }

    /// transformers raises NotImplementedError for box and Hamming under torchvision; so do we, typed.
    @Test func boxAndHammingAreRefusedLikeTransformers() throws {
        for name in Fixtures.index.torchvisionErrors.keys.sorted() {
            let file = try #require(Fixtures.index.configs[name]).file
            let configuration = try ImageProcessingConfiguration(contentsOf: Fixtures.url(file))
            let filter = try #require(ResamplingFilter(rawValue: configuration.resample))
            #expect(throws: ImageProcessingError.unsupportedFilter(filter, backend: .torchvision)) {
                try ImageProcessor(configuration: configuration, backend: .torchvision)
            }
            #expect(try ImageProcessor(configuration: configuration, backend: .pillow).backend == .pillow)
        }
        let error = ImageProcessingError.unsupportedFilter(.box, backend: .torchvision)
        #expect(error.description.contains("resample 4 (BOX)") && error.description.contains("pillow backend"))
        let image = RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 1, count: 12))
        #expect(throws: ImageProcessingError.unsupportedFilter(.hamming, backend: .torchvision)) {
            try ProcessorBackend.torchvision.resize(image, width: 1, height: 1, filter: .hamming)
        }
    }

    @Test func aZeroStandardDeviationIsRefusedLikeTorchvision() throws {
        let configuration = try ImageProcessingConfiguration(jsonData: Data(#"{"image_std": [0.5, 0, 0.5]}"#.utf8))
        #expect(throws: ImageProcessingError.zeroStandardDeviation(backend: .torchvision)) {
            try ImageProcessor(configuration: configuration, backend: .torchvision)
        }
    }

    typealias ResizeCase = ResampleCase<ReferenceIndex.ResampleInput.TorchvisionOutput>

    static let resizeCases: [ResizeCase] = Fixtures.index.resample.flatMap { input in
        input.outputsTorchvision.map { ResizeCase(input: input, output: $0) }
    }

    @Test func resizeReferencesCoverTheFourModes() {
        #expect(Set(Self.resizeCases.map(\.output.filter)) == [0, 1, 2, 3])
        #expect(Self.resizeCases.count >= 90)
        // torch 2.15's AVX kernel fails an internal assertion for a 1×1 output of its antialiased modes; those
        // are the only cases without a reference.
        for test in Self.resizeCases where test.output.pixels == nil {
            #expect(test.output.width == 1 && test.output.height == 1 && test.output.filter != 0, "\(test)")
        }
    }

    @Test(arguments: resizeCases.filter { $0.output.pixels != nil })
    func resizeMatchesTorchvision(_ test: ResizeCase) throws {
        let filter = try #require(ResamplingFilter(rawValue: test.output.filter))
        let resized = try ProcessorBackend.torchvision.resize(test.inputImage(), width: test.output.width,
                                                              height: test.output.height, filter: filter)
        let expected = try Fixtures.array(try #require(test.output.pixels), rows: test.output.height,
                                          rowLength: test.output.width, channels: 3)
        let difference = Difference(resized.pixels, expected)
        #expect(difference.isZero, "\(test.testDescription): \(difference)")
    }

    /// Rows go in one at a time; each output row comes out as soon as its last source row is in, and the
    /// resampler holds only a few rows.
    @Test(arguments: [ResamplingFilter.bilinear, .bicubic, .lanczos, .nearest])
    func rowByRowIsTheSameResize(filter: ResamplingFilter) throws {
        let image = try ImageDecoder().decode(contentsOf: Fixtures.url("photos/hubble_deep_field.jpg"))
        let whole = try ProcessorBackend.torchvision.resize(image, width: 224, height: 224, filter: filter)
        let vertical = TorchvisionResamplingCoefficients(inputSize: image.height, outputSize: 224, filter: filter)
        var resampler = TorchvisionResampler(inputWidth: image.width, inputHeight: image.height,
                                             outputWidth: 224, outputHeight: 224, filter: filter)
        var rows: [UInt8] = [], emittedAfter: [Int] = []
        image.pixels.withUnsafeBufferPointer { pixels in
            for row in 0..<image.height {
                resampler.append(row: pixels.baseAddress! + row * image.width * 3) { index, bytes in
                    #expect(index == emittedAfter.count)
                    rows += bytes
                    emittedAfter.append(row + 1)
                }
            }
        }
        #expect(resampler.isComplete && rows == whole.pixels)
        #expect(emittedAfter == (0..<224).map { vertical.starts[$0] + vertical.counts[$0] })
        #expect(vertical.maximumCount <= vertical.stride && vertical.stride <= 2 * 3 * 4 + 1)
    }

    @Test func weightPrecisionFollowsTheLargestWeight() {
        // PyTorch keeps the largest weight of an axis below 2^15: 1.0 gets 14 fractional bits, 0.75 gets 15,
        // and tiny weights (a 300× reduction) are capped at 22.
        #expect(TorchvisionResamplingCoefficients.precision(forLargestWeight: 1) == 14)
        #expect(TorchvisionResamplingCoefficients.precision(forLargestWeight: 0.75) == 15)
        #expect(TorchvisionResamplingCoefficients.precision(forLargestWeight: 0.001) == 22)
        // 2 → 4 bilinear: the outer outputs read one source pixel with weight 1, so 14 bits; the inner ones
        // 0.75 and 0.25 of two.
        let upscale = TorchvisionResamplingCoefficients(inputSize: 2, outputSize: 4, filter: .bilinear)
        #expect(upscale.precision == 14 && upscale.starts == [0, 0, 0, 1] && upscale.counts == [1, 2, 2, 1])
        #expect(Array(upscale.weights[upscale.stride..<(upscale.stride + 2)]) == [12288, 4096])
        for index in 0..<4 {
            let row = upscale.weights[(index * upscale.stride)..<((index + 1) * upscale.stride)]
            #expect(row.reduce(0, +) == 1 << 14)
        }
    }

    @Test func anOverhangingCropPadsTheFloorOfHalfTheExcess() {
        // A 1×1 image cropped to 4×2: torchvision pads (4 − 1) // 2 = 1 column and (2 − 1) // 2 = 0 rows before
        // it; the numpy center_crop of the Pillow backend pads the ceilings, 2 and 1.
        let image = RGBImage(width: 1, height: 1, pixels: [7, 8, 9])
        for (backend, offset) in [(ProcessorBackend.torchvision, 1 * 3), (.pillow, (1 * 4 + 2) * 3)] {
            var output = [UInt8](repeating: 99, count: 4 * 2 * 3)
            output.withUnsafeMutableBufferPointer { buffer in
                ImageProcessor.centerCrop(image, to: .init(height: 2, width: 4), backend: backend,
                                          into: buffer.baseAddress!)
            }
            var expected = [UInt8](repeating: 0, count: 24)
            expected.replaceSubrange(offset..<(offset + 3), with: [7, 8, 9])
            #expect(output == expected, "\(backend)")
        }
    }

    @Test func sameSizeIsTheSameImage() throws {
        let image = RGBImage(width: 3, height: 2, pixels: Array(0..<18))
        for filter in ResamplingFilter.allCases where ProcessorBackend.torchvision.supports(filter) {
            #expect(try ProcessorBackend.torchvision.resize(image, width: 3, height: 2, filter: filter) == image)
        }
    }
}
