import TestSupport
import Foundation
@testable import ImagePreprocessing

struct TestPNG {
    /// The file.
    var file: [UInt8]
    /// The same samples without `tRNS` or `eXIf`: a stream libpng's simplified API decodes as Pillow does,
    /// except for 16-bit samples (libpng rounds `v / 257`).
    var plain: [UInt8]
    /// `plain` with 16-bit samples reduced to 8 bits as Pillow reduces them (``pillowEightBit(_:colorType:)``),
    /// so that libpng decodes it to the pixels Pillow gives for `file`.
    var pillowPlain: [UInt8]

    /// Samples per pixel for a PNG colour type.
    static func samples(_ colorType: UInt8) -> Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]! }

    /// A PNG whose pass rows hold random samples.
    static func random(width: Int, height: Int, colorType: UInt8, bitDepth: UInt8, interlaced: Bool,
                       paletteEntries: Int = 256, orientation: Int? = nil,
                       using generator: inout SeededRandom) -> TestPNG {
        let bitsPerPixel = samples(colorType) * Int(bitDepth)
        let geometry = Self.passes(width: width, height: height, interlaced: interlaced)
        let rows = geometry.map { pass in
            (0..<pass.height).map { _ in
                (0..<PNGRowReader.rowBytes(pixelCount: pass.width, bitsPerPixel: bitsPerPixel)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            }
        }
        let palette = colorType == 3
            ? (0..<(3 * paletteEntries)).map { _ in UInt8.random(in: 0...255, using: &generator) } : nil
        return make(width: width, height: height, colorType: colorType, bitDepth: bitDepth, interlaced: interlaced,
                    passRows: rows, palette: palette, orientation: orientation, using: &generator)
    }

    /// An 8-bit RGB PNG of `image`'s pixels.
    static func rgb(_ image: RGBImage, interlaced: Bool, orientation: Int? = nil,
                    using generator: inout SeededRandom) -> TestPNG {
        let geometry = Self.passes(width: image.width, height: image.height, interlaced: interlaced)
        let rows = geometry.map { pass in
            (0..<pass.height).map { row in
                (0..<pass.width).flatMap { column -> [UInt8] in
                    let pixel = image[pass.column + column * pass.columnStep, pass.row + row * pass.rowStep]
                    return [pixel.red, pixel.green, pixel.blue]
                }
            }
        }
        return make(width: image.width, height: image.height, colorType: 2, bitDepth: 8, interlaced: interlaced,
                    passRows: rows, palette: nil, orientation: orientation, using: &generator)
    }

    /// The passes, empty ones included, in stream order.
    static func passes(width: Int, height: Int, interlaced: Bool) -> [PNGRowDecoder.Pass] {
        guard interlaced else {
            return [PNGRowDecoder.Pass(column: 0, row: 0, columnStep: 1, rowStep: 1, width: width, height: height)]
        }
        return PNGRowDecoder.adam7.map { x, y, dx, dy in
            PNGRowDecoder.Pass(column: x, row: y, columnStep: dx, rowStep: dy, width: (width - x + dx - 1) / dx,
                               height: (height - y + dy - 1) / dy)
        }
    }

    private static func make(width: Int, height: Int, colorType: UInt8, bitDepth: UInt8, interlaced: Bool,
                             passRows: [[[UInt8]]], palette: [UInt8]?, orientation: Int?,
                             using generator: inout SeededRandom) -> TestPNG {
        let unit = max(samples(colorType) * Int(bitDepth) / 8, 1)
        let geometry = passes(width: width, height: height, interlaced: interlaced)
        var filteredPasses: [[UInt8]] = []
        for (pass, rows) in zip(geometry, passRows) where !pass.isEmpty {
            filteredPasses.append(filter(rows, unit: unit, using: &generator))
        }
        let header = { (w: Int, h: Int, interlace: UInt8) in
            be32(w) + be32(h) + [bitDepth, colorType, 0, 0, interlace]
        }
        let header8 = { (w: Int, h: Int, interlace: UInt8) in be32(w) + be32(h) + [8, colorType, 0, 0, interlace] }
        let compressed = Zlib.deflate(filteredPasses.flatMap { $0 }[...])!
        var file = signature + chunk("IHDR", header(width, height, interlaced ? 1 : 0))
        var plain = file
        if let palette {
            file += chunk("PLTE", palette)
            plain += chunk("PLTE", palette)
            file += chunk("tRNS", [UInt8](repeating: 7, count: palette.count / 3))
        } else if colorType == 0 {
            file += chunk("tRNS", [0, 1])
        } else if colorType == 2 {
            file += chunk("tRNS", [0, 1, 0, 2, 0, 3])
        }
        if let orientation { file += chunk("eXIf", exif(orientation: orientation)) }
        file += chunk("IDAT", compressed) + chunk("IEND", [])
        plain += chunk("IDAT", compressed) + chunk("IEND", [])
        var pillowPlain = plain
        if bitDepth == 16 {
            var reducedPasses: [[UInt8]] = []
            for (pass, rows) in zip(geometry, passRows) where !pass.isEmpty {
                reducedPasses.append(filter(pillowEightBit(rows, colorType: colorType), unit: unit / 2,
                                            using: &generator))
            }
            pillowPlain = signature + chunk("IHDR", header8(width, height, interlaced ? 1 : 0))
                + chunk("IDAT", Zlib.deflate(reducedPasses.flatMap { $0 }[...])!) + chunk("IEND", [])
        }
        return TestPNG(file: file, plain: plain, pillowPlain: pillowPlain)
    }

    /// Rows of 16-bit samples as Pillow's `convert("RGB")` reduces them: the high byte, but gray without alpha
    /// (colour type 0, Pillow's `I;16`) clipped to 255.
    static func pillowEightBit(_ rows: [[UInt8]], colorType: UInt8) -> [[UInt8]] {
        rows.map { row in
            stride(from: 0, to: row.count, by: 2).map { index in
                colorType == 0 && row[index] != 0 ? 255 : colorType == 0 ? row[index + 1] : row[index]
            }
        }
    }

    /// Each row under a random filter type (0–4), with the filter byte in front.
    private static func filter(_ rows: [[UInt8]], unit: Int, using generator: inout SeededRandom) -> [UInt8] {
        var output: [UInt8] = []
        var previous = [UInt8](repeating: 0, count: rows.first?.count ?? 0)
        for row in rows {
            let type = UInt8.random(in: 0...4, using: &generator)
            output.append(type)
            for index in row.indices {
                let a = index >= unit ? Int(row[index - unit]) : 0
                let b = Int(previous[index])
                let c = index >= unit ? Int(previous[index - unit]) : 0
                let prediction: Int
                switch type {
                case 0: prediction = 0
                case 1: prediction = a
                case 2: prediction = b
                case 3: prediction = (a + b) / 2
                default:
                    let p = a + b - c
                    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                    prediction = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                }
                output.append(UInt8(truncatingIfNeeded: Int(row[index]) - prediction))
            }
            previous = row
        }
        return output
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func be32(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBytes { Zlib.crc32($0) }
        return be32(data.count) + body + be32(Int(crc))
    }

    /// A minimal PNG stream: signature, IHDR, one IDAT holding `compressed`, IEND.
    static func stream(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, interlaced: Bool = false,
                       compressed: [UInt8]) -> [UInt8] {
        signature + chunk("IHDR", be32(width) + be32(height) + [bitDepth, colorType, 0, 0, interlaced ? 1 : 0])
            + chunk("IDAT", compressed) + chunk("IEND", [])
    }

    /// A big-endian TIFF header with one IFD0 entry: Orientation (SHORT) = `orientation`.
    static func exif(orientation: Int) -> [UInt8] {
        [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, UInt8(orientation), 0, 0,
         0, 0, 0, 0]
    }
}
