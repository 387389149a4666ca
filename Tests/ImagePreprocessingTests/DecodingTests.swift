import Foundation
import Testing
@testable import ImagePreprocessing

/// Decoded pixels against Pillow's `exif_transpose(open(f)).convert("RGB")` (transformers' `load_image`), and
/// broken files against the typed errors they must raise.
@Suite struct DecodingTests {
    @Test func fixtureIndexIsComplete() throws {
        let index = try Fixtures.loadedIndex.get()
        #expect(index.decoded.count >= 70)
        #expect(index.errors.count >= 10)
        #expect(index.processed.count >= 200)
        #expect(index.resample.count >= 5)
        #expect(index.versions["pillow"] == "13.0.0")
        #expect(index.versions["transformers"] == "5.24.0")
    }

    @Test(arguments: Fixtures.index.decoded)
    func decodedPixelsMatchPillow(_ reference: ReferenceIndex.Decoded) throws {
        let image = try ImageDecoder().decode(contentsOf: Fixtures.url(reference.file))
        try #require(image.width == reference.width && image.height == reference.height,
                     "\(reference.file): \(image.width)×\(image.height), Pillow \(reference.width)×\(reference.height)")
        if let pixels = reference.pixels {
            let expected = try Fixtures.array(pixels, rows: reference.height, rowLength: reference.width, channels: 3)
            let difference = Difference(image.pixels, expected)
            #expect(difference.isZero, "\(reference.file) (\(reference.expected)): \(difference)")
        }
        #expect(crc32(of: image.pixels) == reference.crc32, "\(reference.file): CRC-32 of the RGB bytes differs")
    }

    @Test(arguments: Fixtures.index.errors)
    func brokenFilesRaiseTypedErrors(_ reference: ReferenceIndex.Failure) throws {
        let url = Fixtures.url(reference.file)
        let error = try #require(throws: ImageDecodingError.self, "\(reference.file) (Pillow: \(reference.pillow))") {
            try ImageDecoder().decode(contentsOf: url)
        }
        #expect(kind(of: error) == reference.error, "\(reference.file): \(error)")
        #expect(error.source == url.path)
        #expect(error.description.contains(url.path), "the message should name the file: \(error)")
        #expect(error.errorDescription == error.description)
    }

    /// The case name of an error, as the fixture index spells it.
    private func kind(of error: ImageDecodingError) -> String {
        switch error {
        case .unreadableFile: return "unreadableFile"
        case .empty: return "empty"
        case .unrecognizedFormat: return "unrecognizedFormat"
        case .truncated: return "truncated"
        case .badChecksum: return "badChecksum"
        case .corrupt: return "corrupt"
        case .unsupported: return "unsupported"
        case .tooManyPixels: return "tooManyPixels"
        case .exceedsMemoryBudget: return "exceedsMemoryBudget"
        }
    }

    @Test func badChecksumNamesTheChunk() throws {
        let error = try #require(throws: ImageDecodingError.self) {
            try ImageDecoder().decode(contentsOf: Fixtures.url("crafted/png-bad-crc.png"))
        }
        guard case .badChecksum(_, let chunk) = error else {
            Issue.record("expected a bad checksum, got \(error)")
            return
        }
        #expect(chunk == "IHDR")
    }

    @Test func missingFileIsUnreadable() {
        let url = Fixtures.url("crafted/does-not-exist.png")
        #expect(throws: ImageDecodingError.self) { try ImageDecoder().decode(contentsOf: url) }
        do {
            _ = try ImageDecoder().decode(contentsOf: url)
        } catch {
            guard case .unreadableFile(let path, _) = error else {
                Issue.record("expected unreadableFile, got \(error)")
                return
            }
            #expect(path == url.path)
        }
    }

    @Test func pixelLimitIsCheckedBeforeDecoding() throws {
        let data = try Data(contentsOf: Fixtures.url("photos/astronaut.jpg"))
        let header = try ImageDecoder().header(of: data)
        #expect(header.format == .jpeg && header.width == 512 && header.height == 512)
        let limited = ImageDecoder(maximumPixelCount: 512 * 512 - 1)
        #expect(throws: ImageDecodingError.tooManyPixels(source: "astronaut", width: 512, height: 512,
                                                        limit: 512 * 512 - 1)) {
            try limited.decode(data, source: "astronaut")
        }
        #expect(try ImageDecoder(maximumPixelCount: 512 * 512).decode(data).width == 512)
        #expect(ImageDecoder().maximumPixelCount == 178_956_970)
    }

    @Test func sidesBeyondLibpngLimitAreUnsupported() throws {
        let compressed = try #require(Zlib.deflate([0, 1, 2, 3][...]))
        for (width, height) in [(1_000_001, 1), (1, 1_000_001)] {
            let png = TestPNG.stream(width: width, height: height, bitDepth: 8, colorType: 0, compressed: compressed)
            let error = try #require(throws: ImageDecodingError.self) { try ImageDecoder().decode(Data(png)) }
            guard case .unsupported(_, .png, let reason) = error else {
                Issue.record("expected unsupported, got \(error)")
                continue
            }
            #expect(reason.contains("1,000,000"))
        }
    }

    @Test func unsupportedJPEGProcessesAreNamed() throws {
        var bytes = [UInt8](try Data(contentsOf: Fixtures.url("crafted/jpeg-444.jpg")))
        let frame = try #require(bytes.indices.first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[frame + 1] = 0xC3  // lossless
        let error = try #require(throws: ImageDecodingError.self) { try ImageDecoder().decode(Data(bytes), source: "x") }
        guard case .unsupported(_, .jpeg, let reason) = error else {
            Issue.record("expected unsupported, got \(error)")
            return
        }
        #expect(reason.contains("lossless"))
        let precision = frame + 4
        bytes[frame + 1] = 0xC0
        bytes[precision] = 12
        #expect(throws: ImageDecodingError.self) { try ImageDecoder().decode(Data(bytes)) }
    }

    @Test func orientationCanBeLeftAsStored() throws {
        let url = Fixtures.url("crafted/orientation-6.jpg")
        let upright = try ImageDecoder().decode(contentsOf: url)
        let stored = try ImageDecoder(appliesOrientation: false).decode(contentsOf: url)
        #expect(stored.width == 24 && stored.height == 16)
        #expect(upright.width == 16 && upright.height == 24)
        #expect(ExifOrientation.rightTop.transposing(stored) == upright)
    }

    @Test func formatComesFromBytesNotNames() throws {
        #expect(try ImageDecoder().header(of: Data(contentsOf: Fixtures.url("crafted/jpeg-named-as-png.png"))).format
                == .jpeg)
        #expect(try ImageDecoder().header(of: Data(contentsOf: Fixtures.url("crafted/png-named-as-jpeg.jpg"))).format
                == .png)
        #expect(ImageFormat(detecting: [0xFF, 0xD8]) == nil)
    }

    @Test func decodingIsSafeConcurrently() async throws {
        let files = ["photos/chelsea.jpg", "crafted/png-interlaced.png", "crafted/jpeg-cmyk-adobe.jpg",
                     "crafted/orientation-7.jpg", "crafted/png-palette-trns.png", "crafted/jpeg-progressive.jpg"]
        let decoder = ImageDecoder()
        let sequential = try files.map { try decoder.decode(contentsOf: Fixtures.url($0)) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, RGBImage).self) { group in
            for _ in 0..<4 {
                for (index, file) in files.enumerated() {
                    group.addTask { (index, try decoder.decode(contentsOf: Fixtures.url(file))) }
                }
            }
            var results: [(Int, RGBImage)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(concurrent.count == files.count * 4)
        for (index, image) in concurrent { #expect(image == sequential[index]) }
    }
}
