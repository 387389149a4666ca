import TestSupport
import Foundation
import Testing
@testable import ImagePreprocessing

/// The decoding budget: images whose decode would need more memory than ``ImageDecoder/memoryBudget`` are
/// refused from their headers, with a typed error naming the file and both sizes, before anything big is
/// allocated; streaming keeps ordinary decodes of huge images far below it.
@Suite struct MemoryBudgetTests {
    /// A PNG header declaring `width × height` RGB pixels, followed by a little image data.
    static func pngHeader(width: Int, height: Int) -> Data {
        let data = TestPNG.signature + TestPNG.chunk("IHDR", TestPNG.be32(width) + TestPNG.be32(height) + [8, 2, 0, 0, 0])
            + TestPNG.chunk("IDAT", Zlib.deflate([0, 1, 2, 3, 4, 5, 6][...])!) + TestPNG.chunk("IEND", [])
        return Data(data)
    }

    /// A JPEG fixture with its frame header patched to declare `width × height`.
    static func jpeg(_ file: String, width: Int, height: Int) throws -> Data {
        var bytes = [UInt8](try Data(contentsOf: Fixtures.url(file)))
        let frame = try #require(bytes.indices.first { bytes[$0] == 0xFF && [0xC0, 0xC2].contains(bytes[$0 + 1]) })
        (bytes[frame + 5], bytes[frame + 6]) = (UInt8(height >> 8), UInt8(height & 0xFF))
        (bytes[frame + 7], bytes[frame + 8]) = (UInt8(width >> 8), UInt8(width & 0xFF))
        return Data(bytes)
    }

    @Test func wholeImageDecodeOfAHugePNGIsRefusedFromItsHeader() throws {
        let decoder = ImageDecoder(maximumPixelCount: .max, memoryBudget: 1 << 30)
        let data = Self.pngHeader(width: 100_000, height: 100_000)
        let error = try #require(throws: ImageDecodingError.self) { try decoder.decode(data, source: "bomb.png") }
        guard case .exceedsMemoryBudget(let source, let needed, let budget) = error else {
            Issue.record("expected exceedsMemoryBudget, got \(error)")
            return
        }
        #expect(source == "bomb.png" && budget == 1 << 30)
        #expect(needed >= 3 * 100_000 * 100_000)
        #expect(error.description.contains("bomb.png") && error.description.contains("\(needed) > \(budget) bytes"),
                "\(error)")
    }

    @Test func streamingTheSamePNGNeedsOnlyRows() throws {
        let data = Self.pngHeader(width: 100_000, height: 100_000)
        let processor = ImageProcessor(configuration: .vitBasePatch16_224)
        // Within 16 MB the decode starts, and finds the data missing: the rows, not the image, were budgeted.
        let roomy = try ImageDecoder(maximumPixelCount: .max, memoryBudget: 16 << 20).open(data, source: "bomb.png")
        #expect(throws: ImageDecodingError.truncated(source: "bomb.png", format: .png)) { try processor.process(roomy) }
        let tight = try ImageDecoder(maximumPixelCount: .max, memoryBudget: 1 << 20).open(data, source: "bomb.png")
        let error = try #require(throws: ImageDecodingError.self) { try processor.process(tight) }
        guard case .exceedsMemoryBudget(_, let needed, _) = error else {
            Issue.record("expected exceedsMemoryBudget, got \(error)")
            return
        }
        #expect(needed > 1 << 20 && needed < 16 << 20)
    }

    /// A progressive file's coefficients need at least each 8×8 block's DC value and count byte (the sparse
    /// store's 3 bytes a block), known from the header: 60,000² at 4:2:0 is 84 million blocks.
    static let progressiveBlocks = 7_500 * 7_500 + 2 * 3_750 * 3_750

    @Test func progressiveJPEGCoefficientsCountAgainstTheBudget() throws {
        let data = try Self.jpeg("crafted/jpeg-progressive.jpg", width: 60_000, height: 60_000)
        let processor = ImageProcessor(configuration: .vitBasePatch16_224)
        let encoded = try ImageDecoder(maximumPixelCount: .max, memoryBudget: 128 << 20).open(data, source: "p.jpg")
        let error = try #require(throws: ImageDecodingError.self) { try processor.process(encoded) }
        guard case .exceedsMemoryBudget(let source, let needed, _) = error else {
            Issue.record("expected exceedsMemoryBudget, got \(error)")
            return
        }
        #expect(source == "p.jpg")
        #expect(needed >= 3 * Self.progressiveBlocks)
    }

    /// A baseline JPEG needs a few MCU rows however tall it is; a progressive one its coefficients: at least
    /// 3 bytes a block in the sparse store, 128 in libjpeg's own arrays. Read from the markers alone (libjpeg's
    /// `jpeg_read_header`, which allocates no image buffer).
    @Test func libjpegMemoryIsKnownFromTheHeader() throws {
        for (file, progressive) in [("crafted/jpeg-444.jpg", false), ("crafted/jpeg-progressive.jpg", true)] {
            let data = try Self.jpeg(file, width: 60_000, height: 60_000)
            let structure = try data.withUnsafeBytes { bytes throws(ImageDecodingError) in try JPEGStructure.parse(bytes) }
            for storage in [JPEGRowDecoder.CoefficientStorage.sparse, .libjpeg] {
                let header = try data.withUnsafeBytes { bytes throws(ImageDecodingError) in
                    try JPEGRowDecoder(structure, from: bytes, coefficients: storage).readHeader()
                }
                if !progressive {
                    #expect(header.coefficientBytes == 0, "\(file)")
                    #expect(header.workingBytes < 32 << 20, "\(file): \(header.workingBytes)")
                } else if storage == .sparse {
                    #expect(header.coefficientBytes >= 3 * Self.progressiveBlocks, "\(file)")
                    #expect(header.coefficientBytes < 4 * Self.progressiveBlocks, "\(file)")
                } else {
                    #expect(header.coefficientBytes == 128 * Self.progressiveBlocks, "\(file)")
                }
            }
        }
    }

    @Test func ordinaryImagesFitTheDefaultBudget() throws {
        #expect(ImageDecoder.defaultMemoryBudget >= 64 << 20)
        #expect(ImageDecoder().memoryBudget == ImageDecoder.defaultMemoryBudget)
        let image = try ImageDecoder(memoryBudget: 4 << 20).decode(contentsOf: Fixtures.url("photos/chelsea.jpg"))
        #expect(image.width == 451)
        #expect(throws: ImageDecodingError.self) {
            try ImageDecoder(memoryBudget: 100_000).decode(contentsOf: Fixtures.url("photos/chelsea.jpg"))
        }
    }

    /// The estimate checked against the budget bounds what the resizer really allocates.
    @Test(arguments: ProcessorBackend.allCases)
    func resizerEstimatesBoundItsAllocations(backend: ProcessorBackend) throws {
        var generator = SeededRandom(seed: 77)
        let filters = backend == .pillow ? [0, 1, 2, 3, 4, 5] : [0, 1, 2, 3]
        for _ in 0..<400 {
            let configuration = try StreamingResizeTests.randomConfiguration(using: &generator, filters: filters)
            let processor = try ImageProcessor(configuration: configuration, backend: backend)
            let (width, height) = (Int.random(in: 1...300, using: &generator), Int.random(in: 1...300, using: &generator))
            let orientation = ExifOrientation.allCases.randomElement(using: &generator)!
            let plan = ResizePlan(processor: processor, storedWidth: width, storedHeight: height, orientation: orientation)
            let estimate = ResizePlan.estimatedBytes(processor: processor, storedWidth: width, storedHeight: height,
                                                     orientation: orientation)
            let allocated = StreamingResizer(plan: plan).allocatedBytes
            #expect(allocated <= estimate, "\(width)×\(height) \(orientation) \(configuration)")
        }
    }
}
