import Foundation
import JPEGTestEncoder
import TestSupport
import Testing
@testable import ImagePreprocessing

/// The sparse coefficient store (Sources/CJPEG/sparse_coefficients.c) that holds a multi-scan JPEG's DCT
/// coefficients in place of libjpeg's whole-image arrays: the same pixels as libjpeg's own arrays, byte for
/// byte, on files of every shape the tests can write, in memory that follows the image's detail instead of its
/// area, and limited by the decoding budget as it grows.
@Suite struct SparseCoefficientTests {
    /// A JPEG written by libjpeg's compressor.
    static func encode(_ pixels: [UInt8], _ settings: jpeg_test_settings) throws -> Data {
        var settings = settings
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = pixels.withUnsafeBufferPointer { jpeg_test_encode($0.baseAddress, &settings, &output, &size) }
        try #require(status == 0 && output != nil, "libjpeg could not encode \(settings)")
        defer { jpeg_test_free(output) }
        return Data(bytes: output!, count: size)
    }

    /// Collects every row a decoder produces.
    final class Rows: ImageRowConsumer {
        let length: Int
        var bytes: [UInt8] = []
        init(width: Int) { length = 3 * width }
        func consume(_ row: UnsafePointer<UInt8>) { bytes.append(contentsOf: UnsafeBufferPointer(start: row, count: length)) }
    }

    /// The decoded rows (RGB, CMYK converted), or the error, with the given storage and limit.
    static func decode(_ data: Data, storage: JPEGRowDecoder.CoefficientStorage,
                       memoryLimit: Int = 1 << 40) -> Result<[UInt8], ImageDecodingError> {
        data.withUnsafeBytes { bytes in
            Result { () throws(ImageDecodingError) -> [UInt8] in
                let structure = try JPEGStructure.parse(bytes)
                let decoder = try JPEGRowDecoder(structure, from: bytes, coefficients: storage)
                _ = try decoder.readHeader()
                let rows = Rows(width: structure.width)
                try decoder.decode(into: rows, memoryLimit: memoryLimit)
                return rows.bytes
            }
        }
    }

    /// `width × height` pixels of `components` channels: smooth gradients with a patch of noise, so that
    /// some blocks keep only their DC and others most of their coefficients.
    static func pixels(width: Int, height: Int, components: Int, using generator: inout SeededRandom) -> [UInt8] {
        let noise = (x: Int.random(in: 0..<width, using: &generator), y: Int.random(in: 0..<height, using: &generator),
                     side: Int.random(in: 0...64, using: &generator))
        var pixels = [UInt8](repeating: 0, count: width * height * components)
        for y in 0..<height {
            for x in 0..<width {
                let noisy = x >= noise.x && x < noise.x + noise.side && y >= noise.y && y < noise.y + noise.side
                for channel in 0..<components {
                    let smooth = (x * (channel + 1) * 255 / max(width, 1) + y * 255 / max(height, 1)) / 2
                    pixels[(y * width + x) * components + channel] =
                        noisy ? UInt8.random(in: 0...255, using: &generator) : UInt8(truncatingIfNeeded: smooth)
                }
            }
        }
        return pixels
    }

    /// Random settings: sizes from 1 pixel to several MCU rows and columns, gray/YCbCr/CMYK, every sampling
    /// of the first component libjpeg allows in a 10-block MCU, the three scan scripts, restart intervals, Huffman
    /// or (a quarter of them) arithmetic coding.
    static func randomSettings(using generator: inout SeededRandom) -> jpeg_test_settings {
        let components = [1, 3, 3, 4].randomElement(using: &generator)!
        let samplings = components == 1 ? [(1, 1)] : [(1, 1), (2, 1), (1, 2), (2, 2), (4, 1), (1, 4), (4, 2), (2, 4)]
        var (horizontal, vertical) = samplings.randomElement(using: &generator)!
        if components == 4, horizontal * vertical > 7 { (horizontal, vertical) = (2, 2) }
        let scripts = [JPEG_TEST_SIMPLE_PROGRESSION, JPEG_TEST_SEQUENTIAL_PER_COMPONENT, JPEG_TEST_NARROW_BANDS]
        return jpeg_test_settings(
            width: Int32(Int.random(in: 1...260, using: &generator)), height: Int32(Int.random(in: 1...260, using: &generator)),
            components: Int32(components), horizontal_sampling: Int32(horizontal), vertical_sampling: Int32(vertical),
            quality: Int32([40, 75, 95, 100].randomElement(using: &generator)!),
            script: scripts.randomElement(using: &generator)!,
            restart_rows: Int32([0, 0, 1, 3].randomElement(using: &generator)!),
            arithmetic: Int32(Int.random(in: 0..<4, using: &generator) == 0 ? 1 : 0))
    }

    @Test func randomMultiScanFilesDecodeAsWithLibjpegsArrays() throws {
        var generator = SeededRandom(seed: 2026_12_03)
        for _ in 0..<120 {
            let settings = Self.randomSettings(using: &generator)
            let pixels = Self.pixels(width: Int(settings.width), height: Int(settings.height),
                                     components: Int(settings.components), using: &generator)
            let data = try Self.encode(pixels, settings)
            let sparse = try Self.decode(data, storage: .sparse).get()
            let whole = try Self.decode(data, storage: .libjpeg).get()
            #expect(sparse == whole, "\(settings)")
        }
    }

    /// Truncated and damaged files: the same rows (libjpeg fills what is missing) or the same error. Missing
    /// coefficients turn on libjpeg's block smoothing in the output pass, which reads beyond the rows it asks
    /// for (sparse_coefficients.c): these files crashed the store before it gave the output pass whole windows.
    @Test func damagedFilesDecodeOrFailAsWithLibjpegsArrays() throws {
        var generator = SeededRandom(seed: 19)
        var files = try ["crafted/jpeg-progressive.jpg", "crafted/jpeg-progressive-truncated.jpg",
                         "crafted/jpeg-progressive-missing-eoi.jpg"].map { try Data(contentsOf: Fixtures.url($0)) }
        for _ in 0..<80 {
            let settings = Self.randomSettings(using: &generator)
            let pixels = Self.pixels(width: Int(settings.width), height: Int(settings.height),
                                     components: Int(settings.components), using: &generator)
            var bytes = [UInt8](try Self.encode(pixels, settings))
            if Bool.random(using: &generator) {
                bytes.removeLast(Int.random(in: 1...(bytes.count / 2), using: &generator))
            } else {
                for _ in 0..<8 {
                    bytes[Int.random(in: (bytes.count / 3)..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            files.append(Data(bytes))
        }
        for (index, data) in files.enumerated() {
            let sparse = Self.decode(data, storage: .sparse), whole = Self.decode(data, storage: .libjpeg)
            switch (sparse, whole) {
            case (.success(let a), .success(let b)): #expect(a == b, "file \(index)")
            case (.failure(let a), .failure(let b)): #expect(a == b, "file \(index)")
            default: Issue.record("file \(index): sparse \(sparse.map(\.count)), libjpeg \(whole.map(\.count))")
            }
        }
    }

    /// A smooth 2048² progressive image fits in a quarter of its coefficients' dense size (the window of whole
    /// rows and the DC values are most of it); libjpeg's own arrays do not fit there at all.
    @Test func smoothImagesNeedAFractionOfTheDenseArrays() throws {
        var generator = SeededRandom(seed: 5)
        let settings = jpeg_test_settings(width: 2048, height: 2048, components: 3, horizontal_sampling: 2,
                                          vertical_sampling: 2, quality: 90, script: JPEG_TEST_SIMPLE_PROGRESSION,
                                          restart_rows: 0, arithmetic: 0)
        let data = try Self.encode(Self.pixels(width: 2048, height: 2048, components: 3, using: &generator), settings)
        // 256² luma blocks and twice 128² chroma blocks of 128 bytes.
        let dense = (256 * 256 + 2 * 128 * 128) * 128
        let sparse = try Self.decode(data, storage: .sparse, memoryLimit: dense / 4).get()
        #expect(sparse == (try Self.decode(data, storage: .libjpeg).get()))
        #expect(throws: ImageDecodingError.self) { try Self.decode(data, storage: .libjpeg, memoryLimit: dense / 4).get() }
    }

    /// Noise keeps most coefficients: the store grows past the header's estimate, and the budget stops it with
    /// the typed error naming the file, not with an allocation failure.
    @Test func growthPastTheBudgetIsTheTypedBudgetError() throws {
        var generator = SeededRandom(seed: 6)
        let side = 512
        let noise = (0..<(side * side * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let settings = jpeg_test_settings(width: Int32(side), height: Int32(side), components: 3, horizontal_sampling: 1,
                                          vertical_sampling: 1, quality: 100, script: JPEG_TEST_NARROW_BANDS,
                                          restart_rows: 0, arithmetic: 0)
        let data = try Self.encode(noise, settings)
        let header = try data.withUnsafeBytes { bytes throws(ImageDecodingError) in
            try JPEGRowDecoder(try JPEGStructure.parse(bytes), from: bytes).readHeader()
        }
        // Room for the header's estimate and the decoded image, not for the coefficients the scans add.
        let budget = header.estimatedBytes + 3 * side * side + (64 << 10)
        let error = try #require(throws: ImageDecodingError.self) {
            try ImageDecoder(memoryBudget: budget).decode(data, source: "noise.jpg")
        }
        guard case .exceedsMemoryBudget(let source, let needed, let reported) = error else {
            Issue.record("expected exceedsMemoryBudget, got \(error)")
            return
        }
        #expect(source == "noise.jpg" && reported == budget && needed > budget, "\(error)")
        #expect(error.description.contains("noise.jpg"))
        // With room for the dense arrays it decodes.
        let roomy = ImageDecoder(memoryBudget: budget + 2 * 3 * side * side * 2)
        #expect(try roomy.decode(data, source: "noise.jpg").width == side)
    }
}
