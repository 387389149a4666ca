/// One pass over a PNG file's chunks, collecting a ``PNGStructure`` (the rules it follows are Pillow's, listed
/// there).
struct PNGChunkWalker {
    let bytes: UnsafeRawBufferPointer
    var position = 8

    private enum Phase { case beforeImageData, inImageData, afterImageData }

    /// Text found so far for the keys Pillow's `getexif` consults; later chunks replace earlier ones.
    var exif: [UInt8]?
    var rawProfileExif: [UInt8]?
    var xmpText: [UInt8]?
    var xmpBytes: [UInt8]?
    var textMemory = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private func uint32(at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    /// Pillow's `is_cid`: four word characters.
    private func isChunkType(at offset: Int) -> Bool {
        (offset..<offset + 4).allSatisfy { index in
            let byte = bytes[index]
            return (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x5F
        }
    }

    private func typeName(at offset: Int) -> String {
        String(decoding: bytes[offset..<offset + 4], as: Unicode.ASCII.self)
    }

    mutating func walk() throws(ImageDecodingError) -> PNGStructure {
        var structure: PNGStructure?
        var phase = Phase.beforeImageData
        while true {
            let remaining = bytes.count - position
            if remaining < 8 {
                if phase == .beforeImageData { throw .truncated(source: nil, format: .png) }
                if phase == .inImageData { structure?.endsInsideImageData = true }
                break
            }
            let length = Int(uint32(at: position))
            let typeOffset = position + 4
            let dataStart = position + 8
            guard isChunkType(at: typeOffset) else {
                if phase == .afterImageData { break }
                throw .corrupt(source: nil, format: .png, reason: "broken chunk header at byte \(position)")
            }
            let type = typeName(at: typeOffset)
            guard length <= Int(Int32.max) else {
                if phase == .afterImageData { break }
                throw .corrupt(source: nil, format: .png, reason: "chunk \(type) declares \(length) bytes")
            }
            let available = bytes.count - dataStart
            let dataComplete = length <= available
            let crcComplete = length + 4 <= available

            if type == "IDAT" && phase != .afterImageData {
                guard structure != nil else {
                    throw .corrupt(source: nil, format: .png, reason: "image data before the IHDR header")
                }
                phase = .inImageData
                structure!.addImageData(dataStart..<min(dataStart + length, bytes.count))
                if !crcComplete {
                    structure!.endsInsideImageData = true
                    break
                }
                position = dataStart + length + 4
                continue
            }
            if phase == .inImageData { phase = .afterImageData }

            if phase == .beforeImageData {
                guard crcComplete else { throw .truncated(source: nil, format: .png) }
                let stored = uint32(at: dataStart + length)
                let computed = Zlib.crc32(UnsafeRawBufferPointer(rebasing: bytes[typeOffset..<dataStart + length]))
                guard stored == computed else { throw .badChecksum(source: nil, chunk: type) }
            } else if !dataComplete {
                // Pillow reads every chunk after the image data and raises if its data is cut off.
                throw .truncated(source: nil, format: .png)
            }
            if type == "IEND" {
                if phase == .beforeImageData {
                    throw .corrupt(source: nil, format: .png, reason: "no image data before IEND")
                }
                break
            }
            let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart..<dataStart + length])
            try read(type, data, chunk: position..<dataStart + length + 4, phase: phase, into: &structure)
            position = dataStart + length + (crcComplete ? 4 : 0)
            if !crcComplete { break }
        }
        guard var result = structure else {
            throw .corrupt(source: nil, format: .png, reason: "no IHDR header chunk")
        }
        result.orientationMetadata = orientationMetadata()
        return result
    }

    /// Reads what the walk keeps of one chunk other than IDAT and IEND: the header, the palette, the text that
    /// can carry an orientation, and the length checks Pillow makes of ancillary chunks.
    private mutating func read(_ type: String, _ data: UnsafeRawBufferPointer, chunk: Range<Int>, phase: Phase,
                               into structure: inout PNGStructure?) throws(ImageDecodingError) {
        switch type {
        case "IHDR" where structure == nil:
            structure = try header(data, chunk: chunk)
        case "PLTE" where phase == .beforeImageData:
            structure?.addPalette(chunk)
        case "eXIf":
            exif = Array("Exif".utf8) + [0, 0] + Array(data)
        case "tEXt":
            try readText(data)
        case "zTXt":
            try readCompressedText(data)
        case "iTXt":
            try readInternationalText(data)
        case "iCCP":
            try checkColorProfile(data)
        case "tRNS" where structure.map { [0, 2].contains($0.colorType) } ?? false:
            try requireLength(data, structure!.colorType == 2 ? 6 : 2, type)
        case "gAMA": try requireLength(data, 4, type)
        case "cHRM": try requireLength(data, 32, type)
        case "sRGB": try requireLength(data, 1, type)
        case "pHYs": try requireLength(data, 9, type)
        case "acTL": try requireLength(data, 8, type)
        default:
            break
        }
    }

    private func header(_ data: UnsafeRawBufferPointer, chunk: Range<Int>) throws(ImageDecodingError) -> PNGStructure {
        guard data.count >= 13 else { throw .corrupt(source: nil, format: .png, reason: "truncated IHDR chunk") }
        let width = Int(UInt32(data[0]) << 24 | UInt32(data[1]) << 16 | UInt32(data[2]) << 8 | UInt32(data[3]))
        let height = Int(UInt32(data[4]) << 24 | UInt32(data[5]) << 16 | UInt32(data[6]) << 8 | UInt32(data[7]))
        let bitDepth = data[8], colorType = data[9]
        let allowedDepths: [UInt8: [UInt8]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16],
                                               6: [8, 16]]
        guard let depths = allowedDepths[colorType], depths.contains(bitDepth) else {
            throw .unsupported(source: nil, format: .png,
                               reason: "bit depth \(bitDepth) with colour type \(colorType) is not a PNG pixel format")
        }
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw .corrupt(source: nil, format: .png, reason: "invalid size \(width)×\(height)")
        }
        // libpng's png_check_IHDR refuses these, so the image cannot be decoded.
        guard data[10] == 0 else { throw .corrupt(source: nil, format: .png, reason: "unknown compression method") }
        guard data[11] == 0 else { throw .corrupt(source: nil, format: .png, reason: "unknown filter method") }
        guard data[12] <= 1 else { throw .corrupt(source: nil, format: .png, reason: "unknown interlace method") }
        // libpng's default user limits (PNG_USER_WIDTH_MAX / PNG_USER_HEIGHT_MAX), which the simplified API
        // cannot raise; Pillow has no such limit.
        guard width <= PNGStructure.maximumSide, height <= PNGStructure.maximumSide else {
            throw .unsupported(source: nil, format: .png,
                               reason: "\(width)×\(height) exceeds libpng's limit of 1,000,000 pixels per side")
        }
        return PNGStructure(width: width, height: height, bitDepth: bitDepth, colorType: colorType,
                            isInterlaced: data[12] != 0, headerChunk: chunk)
    }

    /// Pillow raises for these ancillary chunks when they are too short to hold their fields.
    private func requireLength(_ data: UnsafeRawBufferPointer, _ minimum: Int, _ type: String)
        throws(ImageDecodingError) {
        guard data.count >= minimum else {
            throw .corrupt(source: nil, format: .png, reason: "truncated \(type) chunk")
        }
    }
}
