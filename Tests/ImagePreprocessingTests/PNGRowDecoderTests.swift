import TestSupport
import Foundation
import Testing
@testable import ImagePreprocessing

/// The row-by-row PNG reader against libpng's whole-image simplified API (``LibpngReference``), and its
/// streaming output against whole-image processing, for every PNG pixel format, interlaced or not.
@Suite struct PNGRowDecoderTests {
    /// Every colour type with every bit depth PNG allows for it.
    static let formats: [(colorType: UInt8, bitDepth: UInt8)] = [
        (0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16),
        (6, 8), (6, 16),
    ]

    struct Format: CustomTestStringConvertible, Sendable {
        let colorType: UInt8, bitDepth: UInt8, interlaced: Bool
        var testDescription: String { "type \(colorType), \(bitDepth)-bit\(interlaced ? ", interlaced" : "")" }
    }

    static let cases = formats.flatMap { format in
        [false, true].map { Format(colorType: format.colorType, bitDepth: format.bitDepth, interlaced: $0) }
    }

    /// Sizes that leave Adam7 passes empty (1 × 1, 2 × 9), odd ones, and one wide enough for several
    /// bytes of packed samples per pass row.
    static let sizes = [(1, 1), (2, 9), (9, 2), (5, 5), (13, 7), (37, 29), (64, 3)]

    @Test(arguments: cases)
    func pixelsMatchLibpng(_ format: Format) throws {
        var generator = SeededRandom(seed: UInt64(format.colorType) << 8 | UInt64(format.bitDepth) << 1
                                              | (format.interlaced ? 1 : 0))
        for (width, height) in Self.sizes {
            // Palettes shorter than the index range leave some indices beyond them (black in both).
            let png = TestPNG.random(width: width, height: height, colorType: format.colorType,
                                     bitDepth: format.bitDepth, interlaced: format.interlaced,
                                     paletteEntries: Int.random(in: 1...256, using: &generator), using: &generator)
            let ours = try ImageDecoder().decode(Data(png.file))
            let reference = LibpngReference.decode(png)
            #expect(reference == .image(ours), "\(width)×\(height)")
        }
    }

    /// Streaming the rows into the resize equals resizing the whole decoded image, for each format.
    @Test(arguments: cases)
    func streamingMatchesWholeImage(_ format: Format) throws {
        var generator = SeededRandom(seed: 99 + UInt64(format.bitDepth) + UInt64(format.colorType) * 17)
        let deit = try ImageProcessingConfiguration(contentsOf: Fixtures.url("configs/deit-shortest-256-crop-224.json"))
        let small = try ImageProcessingConfiguration(jsonData: Data(#"{"size": {"height": 11, "width": 6}}"#.utf8))
        for backend in ProcessorBackend.allCases {
            for configuration in [deit, small] {
                let processor = try ImageProcessor(configuration: configuration, backend: backend)
                let png = TestPNG.random(width: 45, height: 31, colorType: format.colorType, bitDepth: format.bitDepth,
                                         interlaced: format.interlaced, orientation: Int.random(in: 1...8, using: &generator),
                                         using: &generator)
                let encoded = try ImageDecoder().open(Data(png.file))
                let whole = processor.wholeImageResizedAndCropped(try encoded.decoded())
                #expect(try processor.resizedAndCropped(encoded) == whole, "\(backend), \(encoded.orientation)")
            }
        }
    }

    /// Damaged image data fails (or succeeds) as under libpng: cut-off zlib data is truncation, a corrupt
    /// stream is corruption, and damage after the last row goes unnoticed by both.
    @Test(arguments: [false, true])
    func damagedImageDataFailsAsUnderLibpng(interlaced: Bool) throws {
        var generator = SeededRandom(seed: interlaced ? 5 : 6)
        var outcomes: [String: Int] = [:]
        for trial in 0..<300 {
            let (colorType, bitDepth) = Self.formats[trial % Self.formats.count]
            let (width, height) = (Int.random(in: 1...24, using: &generator), Int.random(in: 1...24, using: &generator))
            let original = TestPNG.random(width: width, height: height, colorType: colorType, bitDepth: bitDepth,
                                          interlaced: interlaced, using: &generator)
            let (damaged, cut) = Self.damage(original.plain, using: &generator)
            let reference = interlaced && bitDepth == 16
                ? nil : LibpngReference.decode(damaged)  // libpng's own interlaced 16-bit output is wrong
            let ours = Result { () throws(ImageDecodingError) in try ImageDecoder().decode(Data(damaged)) }
            switch (ours, reference) {
            case (.success(let image), .image(let expected)?):
                // libpng rounds 16-bit samples where Pillow (and we) keep the high byte: there the pixels are
                // pixelsMatchLibpng's to check, on undamaged data; here the outcome and the size.
                if bitDepth == 16 {
                    #expect(image.width == expected.width && image.height == expected.height, "trial \(trial)")
                } else {
                    #expect(image == expected, "trial \(trial)")
                }
                outcomes["decoded", default: 0] += 1
            case (.success(let image), .failed(let message)?) where message.contains("Not enough image data"):
                // Every row was there but the zlib stream never ended: libpng refuses, Pillow (and we) decode.
                // After a cut the rows are the original's; a changed byte may have changed them.
                if cut { #expect(image == (try ImageDecoder().decode(Data(original.plain))), "trial \(trial)") }
                outcomes["rows complete, stream unfinished", default: 0] += 1
            case (.failure(.truncated), .failed(let message)?):
                #expect(message.contains("Not enough image data"), "trial \(trial): libpng said \(message)")
                outcomes["truncated", default: 0] += 1
            case (.failure(.corrupt), .failed(let message)?):
                #expect(!message.contains("Not enough image data"), "trial \(trial): libpng said \(message)")
                outcomes["corrupt", default: 0] += 1
            case (_, nil):
                continue
            case (let ours, let reference?):
                Issue.record("trial \(trial), \(width)×\(height) type \(colorType) \(bitDepth)-bit: ours \(ours), libpng \(reference)")
            }
        }
        // The damage must exercise the outcomes for the comparison to mean anything.
        #expect(outcomes.count == 4, "\(outcomes)")
    }

    /// `png` with its IDAT data cut short or one byte of it changed, re-wrapped with correct CRCs (Pillow,
    /// and so we, ignore IDAT CRCs; libpng would not).
    private static func damage(_ png: [UInt8], using generator: inout SeededRandom) -> (png: [UInt8], cut: Bool) {
        // TestPNG writes one IDAT chunk right before IEND.
        let idat = png.indices.first { png[$0..<min($0 + 4, png.count)].elementsEqual("IDAT".utf8) }!
        let length = Int(png[idat - 4]) << 24 | Int(png[idat - 3]) << 16 | Int(png[idat - 2]) << 8 | Int(png[idat - 1])
        var data = Array(png[(idat + 4)..<(idat + 4 + length)])
        let cut = Bool.random(using: &generator)
        if cut {
            data = Array(data.prefix(Int.random(in: 0..<data.count, using: &generator)))
        } else {
            data[Int.random(in: 0..<data.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
        }
        return (Array(png[..<(idat - 4)]) + TestPNG.chunk("IDAT", data) + TestPNG.chunk("IEND", []), cut)
    }

    /// Pillow 13 decodes a PNG whose image data yields every row but stops before the zlib stream's end
    /// (checked with `Image.open(f).load()`); libpng 1.6 calls it "Not enough image data". We follow Pillow.
    @Test func rowsWithoutTheStreamEndDecode() throws {
        var generator = SeededRandom(seed: 3)
        let png = TestPNG.random(width: 20, height: 10, colorType: 2, bitDepth: 8, interlaced: false, using: &generator)
        let complete = try ImageDecoder().decode(Data(png.plain))
        // A stored (uncompressed) deflate block without the final-block flag: all rows, no stream end.
        let raw = try #require(Self.inflated(png.plain))
        let block: [UInt8] = [0x78, 0x01, 0x00, UInt8(raw.count & 0xFF), UInt8(raw.count >> 8),
                              UInt8(~raw.count & 0xFF), UInt8((~raw.count >> 8) & 0xFF)] + raw
        let header = Array(png.plain[..<33])
        let unfinished = header + TestPNG.chunk("IDAT", block) + TestPNG.chunk("IEND", [])
        #expect(try ImageDecoder().decode(Data(unfinished)) == complete)
        #expect(LibpngReference.decode(unfinished) == .failed("Not enough image data"))
        // One byte fewer is a row short: truncated.
        let short = header + TestPNG.chunk("IDAT", Array(block.dropLast())) + TestPNG.chunk("IEND", [])
        #expect(throws: ImageDecodingError.truncated(source: nil, format: .png)) { try ImageDecoder().decode(Data(short)) }
    }

    /// The filtered rows of a TestPNG's single IDAT chunk.
    private static func inflated(_ png: [UInt8]) -> [UInt8]? {
        let idat = png.indices.first { png[$0..<min($0 + 4, png.count)].elementsEqual("IDAT".utf8) }!
        let length = Int(png[idat - 4]) << 24 | Int(png[idat - 3]) << 16 | Int(png[idat - 2]) << 8 | Int(png[idat - 1])
        guard case .complete(let bytes) = Zlib.inflate(png[(idat + 4)..<(idat + 4 + length)], limit: 1 << 20) else { return nil }
        return bytes
    }

    /// Every 16-bit value reduces as Pillow 13's `convert("RGB")` reduces it (checked there on all 65,536
    /// values): the high byte for RGB, RGBA and gray + alpha, `min(v, 255)` for gray.
    @Test func sixteenBitSamplesReduceAsPillow() throws {
        for (colorType, samples) in [(0, 1), (2, 3), (4, 2), (6, 4)] as [(UInt8, Int)] {
            // Pixel v holds v in every sample, big-endian.
            let raw = (0...65535).flatMap { value in
                (0..<samples).flatMap { _ in [UInt8(value >> 8), UInt8(value & 0xFF)] }
            }
            var rgb = [UInt8](repeating: 0, count: 3 * 65536)
            PNGPixelConverter(colorType: colorType, bitDepth: 16, paletteData: nil).convert(raw, count: 65536, into: &rgb)
            for value in 0...65535 {
                let expected = colorType == 0 ? UInt8(min(value, 255)) : UInt8(value >> 8)
                guard rgb[3 * value] == expected, rgb[3 * value + 1] == expected, rgb[3 * value + 2] == expected else {
                    Issue.record("colour type \(colorType): \(value) → \(rgb[3 * value]), expected \(expected)")
                    break
                }
            }
        }
    }
}
