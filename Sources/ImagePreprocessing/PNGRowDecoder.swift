/// Decodes a PNG's pixels row by row, top to bottom, into an ``ImageRowConsumer``, holding only a few rows.
///
/// The image data is inflated with zlib and unfiltered here (libpng's simplified API reads whole images
/// only). A non-interlaced image is one stream of rows. An Adam7-interlaced one stores seven passes one after
/// the other, each a small image of its own whose rows come in increasing image-row order; so a first sweep
/// inflates up to the last pass, leaving a copy of the zlib state (``InflateCursor``) at the start of every
/// pass, and the seven cursors then advance side by side, each image row taking the next row of every pass
/// that has pixels in it. That costs one extra inflation of the first six passes (half the data) instead of a
/// whole-image buffer.
///
/// Failures follow libpng, which the decoder replaced: data ending before the last row is truncation, a zlib
/// error or a filter type beyond 4 within the rows is corruption (truncation when the file ends inside the image
/// data), and whatever follows the last row is never looked at.
enum PNGRowDecoder {
    /// The Adam7 passes: first column, first row, column step, row step.
    static let adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                        (0, 1, 1, 2)]

    /// One pass of an interlaced image (or the whole image): where its pixels sit and how many there are.
    struct Pass {
        var column: Int, row: Int, columnStep: Int, rowStep: Int
        var width: Int, height: Int
        var isEmpty: Bool { width == 0 || height == 0 }
    }

    /// The passes of `structure` in stream order: the seven Adam7 passes, or one covering the image.
    static func passes(of structure: PNGStructure) -> [Pass] {
        guard structure.isInterlaced else {
            return [Pass(column: 0, row: 0, columnStep: 1, rowStep: 1, width: structure.width,
                         height: structure.height)]
        }
        return adam7.map { x, y, dx, dy in
            Pass(column: x, row: y, columnStep: dx, rowStep: dy, width: (structure.width - x + dx - 1) / dx,
                 height: (structure.height - y + dy - 1) / dy)
        }
    }

    /// The memory a decode of `structure` holds: a cursor and a row reader per pass, and one image row.
    static func estimatedBytes(for structure: PNGStructure) -> Int {
        let readers = passes(of: structure).filter { !$0.isEmpty }.reduce(0) { total, pass in
            total + InflateCursor.estimatedBytes
                + PNGRowReader.estimatedBytes(pixelCount: pass.width, bitsPerPixel: structure.bitsPerPixel)
        }
        return readers + 3 * structure.width + 64 * 1024
    }

    /// Decodes every row of `structure` (parsed from `bytes`) into `consumer`.
    static func decode(_ structure: PNGStructure, from bytes: UnsafeRawBufferPointer,
                       into consumer: some ImageRowConsumer) throws(ImageDecodingError) {
        let converter = PNGPixelConverter(colorType: structure.colorType, bitDepth: structure.bitDepth,
                                          paletteData: structure.paletteData(in: bytes))
        if structure.colorType == 3 && structure.paletteData(in: bytes) == nil {
            throw .corrupt(source: nil, format: .png, reason: "palette image without a PLTE chunk")
        }
        do throws(PNGRowReader.Failure) {
            let cursor: InflateCursor
            do { cursor = try InflateCursor(chunks: structure.imageDataChunks(in: bytes)) } catch { throw .inflate(error) }
            if structure.isInterlaced {
                try decodeInterlaced(structure, cursor: cursor, converter: converter, into: consumer)
            } else {
                let reader = PNGRowReader(cursor: cursor, pixelCount: structure.width,
                                          bitsPerPixel: structure.bitsPerPixel)
                for _ in 0..<structure.height { consumer.consume(try reader.next(converter)) }
            }
        } catch {
            throw failure(error, structure)
        }
    }

    private static func decodeInterlaced(_ structure: PNGStructure, cursor: InflateCursor,
                                         converter: PNGPixelConverter, into consumer: some ImageRowConsumer)
        throws(PNGRowReader.Failure) {
        let passes = passes(of: structure).filter { !$0.isEmpty }
        let readers = try positionedReaders(for: passes, structure: structure, sweeping: cursor)
        let row = UnsafeMutablePointer<UInt8>.allocate(capacity: 3 * structure.width)
        defer { row.deallocate() }
        for y in 0..<structure.height {
            for (pass, reader) in zip(passes, readers) where y >= pass.row && (y - pass.row) % pass.rowStep == 0 {
                let pixels = try reader.next(converter)
                var destination = row + 3 * pass.column
                for index in 0..<pass.width {
                    destination[0] = pixels[3 * index]
                    destination[1] = pixels[3 * index + 1]
                    destination[2] = pixels[3 * index + 2]
                    destination += 3 * pass.columnStep
                }
            }
            consumer.consume(row)
        }
    }

    /// A reader at the start of each pass: the sweep copies the cursor at each pass's start and inflates the
    /// pass into scratch space; the last pass keeps the sweeping cursor itself.
    private static func positionedReaders(for passes: [Pass], structure: PNGStructure, sweeping cursor: InflateCursor)
        throws(PNGRowReader.Failure) -> [PNGRowReader] {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        var readers: [PNGRowReader] = []
        do throws(InflateCursor.Failure) {
            for (index, pass) in passes.enumerated() {
                let isLast = index == passes.count - 1
                let start = isLast ? cursor : try InflateCursor(copying: cursor)
                readers.append(PNGRowReader(cursor: start, pixelCount: pass.width,
                                            bitsPerPixel: structure.bitsPerPixel))
                if !isLast {
                    let rowBytes = PNGRowReader.rowBytes(pixelCount: pass.width, bitsPerPixel: structure.bitsPerPixel)
                    try cursor.skip(pass.height * (rowBytes + 1), scratch: scratch)
                }
            }
        } catch {
            throw .inflate(error)
        }
        return readers
    }

    private static func failure(_ failure: PNGRowReader.Failure, _ structure: PNGStructure) -> ImageDecodingError {
        if structure.endsInsideImageData { return .truncated(source: nil, format: .png) }
        switch failure {
        case .inflate(.missingData):
            return .truncated(source: nil, format: .png)
        case .inflate(.invalid(let message)):
            return .corrupt(source: nil, format: .png, reason: "invalid compressed image data (zlib: \(message))")
        case .badFilter(let type):
            return .corrupt(source: nil, format: .png, reason: "unknown row filter type \(type)")
        }
    }
}
