/// What a walk over a PNG file's chunks finds, before any pixel is decoded: the header, the orientation
/// metadata, and where the palette and the image data are.
///
/// The walk follows Pillow 13's `PngImagePlugin`, because its choices decide which files a transformers user
/// can open: CRCs are checked for every chunk before the image data (a mismatch is an error) and for none
/// after it; the image data is the first run of consecutive `IDAT` chunks; a damaged chunk after that run ends
/// the walk quietly, unless its declared data is cut off. Text chunks are read only for the keys that can carry
/// an orientation, and compressed ones are inflated with Pillow's 1 MB cap, so no chunk makes us allocate
/// more than the file's own size plus that cap.
struct PNGStructure {
    /// Columns, from IHDR.
    var width: Int
    /// Rows, from IHDR.
    var height: Int
    /// Bits per sample: 1, 2, 4, 8 or 16.
    var bitDepth: UInt8
    /// 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA.
    var colorType: UInt8
    /// Whether the pixels are stored Adam7-interlaced.
    var isInterlaced: Bool
    /// The orientation metadata Pillow would see after loading the image.
    var orientationMetadata = OrientationMetadata()
    /// Whether the file ended inside the image data, so a decoding failure means truncation.
    var endsInsideImageData = false

    /// Whether the pixels carry an alpha channel (a `tRNS` chunk adds none: it is dropped before decoding).
    var hasAlphaChannel: Bool { colorType == 4 || colorType == 6 }

    private var headerChunk: Range<Int>
    private var paletteChunk: Range<Int>?
    /// The data (without length, type and CRC) of each chunk in the first run of IDAT chunks.
    private var imageData: [Range<Int>] = []

    /// The largest decompressed text chunk Pillow accepts (`ImageFile.SAFEBLOCK`).
    static let maximumTextSize = 1024 * 1024
    /// The longest side libpng reads.
    static let maximumSide = 1_000_000
    /// The most text Pillow accepts over all text chunks (`MAX_TEXT_MEMORY`).
    static let maximumTextMemory = 64 * maximumTextSize

    /// Walks the chunks of `bytes`, which must start with the PNG signature.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodingError) -> PNGStructure {
        var walker = ChunkWalker(bytes: bytes)
        return try walker.walk()
    }

    /// The data of each chunk of the image-data run, in `bytes`: together, one zlib stream. A chunk cut off by
    /// the end of the file keeps only the bytes that exist.
    func imageDataChunks(in bytes: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer] {
        imageData.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
    }

    /// The data of the `PLTE` chunk before the image data, for palette images.
    func paletteData(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard colorType == 3, let paletteChunk else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[(paletteChunk.lowerBound + 8)..<(paletteChunk.upperBound - 4)])
    }

    /// Bits per pixel: samples per pixel × bit depth.
    var bitsPerPixel: Int { samplesPerPixel * Int(bitDepth) }

    /// A minimal PNG stream: signature, IHDR, one IDAT holding `compressed`, IEND.
    static func stream(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, interlaced: Bool = false,
                       compressed: [UInt8]) -> [UInt8] {
        var stream = ImageFormat.pngSignature
        func appendChunk(_ type: String, _ data: [UInt8]) {
            let length = UInt32(data.count)
            stream += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            let typeStart = stream.count
            stream += Array(type.utf8) + data
            let crc = stream.withUnsafeBytes { Zlib.crc32(UnsafeRawBufferPointer(rebasing: $0[typeStart...])) }
            stream += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        }
        let w = UInt32(width), h = UInt32(height)
        appendChunk("IHDR", [UInt8(w >> 24), UInt8(w >> 16 & 0xFF), UInt8(w >> 8 & 0xFF), UInt8(w & 0xFF),
                             UInt8(h >> 24), UInt8(h >> 16 & 0xFF), UInt8(h >> 8 & 0xFF), UInt8(h & 0xFF),
                             bitDepth, colorType, 0, 0, interlaced ? 1 : 0])
        appendChunk("IDAT", compressed)
        appendChunk("IEND", [])
        return stream
    }

    /// Samples per pixel for each colour type.
    var samplesPerPixel: Int {
        switch colorType {
        case 2: return 3
        case 4: return 2
        case 6: return 4
        default: return 1
        }
    }

    fileprivate init(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, isInterlaced: Bool,
                     headerChunk: Range<Int>) {
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.colorType = colorType
        self.isInterlaced = isInterlaced
        self.headerChunk = headerChunk
    }

    fileprivate mutating func addPalette(_ chunk: Range<Int>) { paletteChunk = chunk }
    fileprivate mutating func addImageData(_ data: Range<Int>) { imageData.append(data) }
}

/// One pass over the chunks, collecting a ``PNGStructure``.
private struct ChunkWalker {
    let bytes: UnsafeRawBufferPointer
    var position = 8

    private enum Phase { case beforeImageData, inImageData, afterImageData }

    /// Text found so far for the keys Pillow's `getexif` consults; later chunks replace earlier ones.
    private var exif: [UInt8]?
    private var rawProfileExif: [UInt8]?
    private var xmpText: [UInt8]?
    private var xmpBytes: [UInt8]?
    private var textMemory = 0

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
            switch type {
            case "IHDR" where structure == nil:
                structure = try header(data, chunk: position..<dataStart + length + 4)
            case "PLTE" where phase == .beforeImageData:
                structure?.addPalette(position..<dataStart + length + 4)
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
            position = dataStart + length + (crcComplete ? 4 : 0)
            if !crcComplete { break }
        }
        guard var result = structure else {
            throw .corrupt(source: nil, format: .png, reason: "no IHDR header chunk")
        }
        result.orientationMetadata = orientationMetadata()
        return result
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

    /// Pillow's `check_text_memory`: the characters of all text chunks may not exceed 64 MB.
    private mutating func countText(_ characters: Int) throws(ImageDecodingError) {
        textMemory += characters
        if textMemory > PNGStructure.maximumTextMemory {
            throw .corrupt(source: nil, format: .png, reason: "more than 64 MB of text in text chunks")
        }
    }

    /// Pillow's `_safe_zlib_decompress`: at most 1 MB of output, more is an error.
    private func inflateText(_ compressed: ArraySlice<UInt8>, _ type: String) throws(ImageDecodingError)
        -> [UInt8]? {
        switch Zlib.inflate(compressed, limit: PNGStructure.maximumTextSize) {
        case .complete(let text): return text
        case .tooLarge: throw .corrupt(source: nil, format: .png, reason: "\(type) chunk inflates beyond 1 MB")
        case .invalid: return nil
        }
    }

    /// `keyword\0text`, Latin-1. Pillow keeps the bytes of a key named `exif` as raw EXIF data.
    private mutating func readText(_ data: UnsafeRawBufferPointer) throws(ImageDecodingError) {
        let (key, value) = Self.split(data)
        guard !key.isEmpty else { return }
        record(key: key, value: Array(value), rawExifAllowed: true)
        try countText(value.count)
    }

    /// `keyword\0method compressed-text`. Pillow rejects any method but 0 and any text over 1 MB; text that
    /// does not inflate reads as empty.
    private mutating func readCompressedText(_ data: UnsafeRawBufferPointer) throws(ImageDecodingError) {
        let (key, rest) = Self.split(data)
        let method = rest.first ?? 0
        guard method == 0 else {
            throw .corrupt(source: nil, format: .png, reason: "unknown compression method \(method) in zTXt chunk")
        }
        let text = try inflateText(rest.dropFirst(), "zTXt") ?? []
        guard !key.isEmpty else { return }
        record(key: key, value: text, rawExifAllowed: false)
        try countText(text.count)
    }

    /// `keyword\0 flag method language\0 translated-keyword\0 text`, UTF-8. Pillow skips the chunk when a
    /// field is missing, the compression method is unknown, or the text does not inflate.
    private mutating func readInternationalText(_ data: UnsafeRawBufferPointer) throws(ImageDecodingError) {
        let all = Array(data)[...]
        guard let zero = all.firstIndex(of: 0) else { return }
        let key = all[..<zero], rest = all[(zero + 1)...]
        guard rest.count >= 2 else { return }
        let flag = rest[rest.startIndex], method = rest[rest.startIndex + 1]
        let fields = rest.dropFirst(2).split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else { return }
        var text = Array(fields[2])
        if flag != 0 {
            guard method == 0, let inflated = try inflateText(text[...], "iTXt") else { return }
            text = inflated
        }
        if key.elementsEqual("XML:com.adobe.xmp".utf8) { xmpBytes = text }
        // Pillow files the text under its key only if every part is valid UTF-8.
        guard String(validating: fields[0], as: UTF8.self) != nil, String(validating: fields[1], as: UTF8.self) != nil,
              let string = String(validating: text, as: UTF8.self) else { return }
        record(key: key, value: text, rawExifAllowed: false)
        try countText(string.unicodeScalars.count)
    }

    /// `name\0method compressed-profile`. Pillow raises for a missing or unknown method and for a profile
    /// over 1 MB (it never applies the profile).
    private func checkColorProfile(_ data: UnsafeRawBufferPointer) throws(ImageDecodingError) {
        let all = Array(data)[...]
        // Python's find returns -1 without a zero byte, and s[i + 1] then reads the first byte.
        let zero = all.firstIndex(of: 0) ?? -1
        guard zero + 1 < all.count else { throw .corrupt(source: nil, format: .png, reason: "truncated iCCP chunk") }
        let method = all[zero + 1]
        guard method == 0 else {
            throw .corrupt(source: nil, format: .png, reason: "unknown compression method \(method) in iCCP chunk")
        }
        _ = try inflateText(all[(zero + 2)...], "iCCP")
    }

    private static func isOrientationKey(_ key: ArraySlice<UInt8>) -> Bool {
        key.elementsEqual("Raw profile type exif".utf8) || key.elementsEqual("XML:com.adobe.xmp".utf8)
            || key.elementsEqual("exif".utf8)
    }

    private mutating func record(key: ArraySlice<UInt8>, value: [UInt8], rawExifAllowed: Bool) {
        if key.elementsEqual("exif".utf8) {
            // Only tEXt keeps raw bytes; Pillow stores zTXt/iTXt values as strings, which its EXIF reader
            // cannot use, so those are ignored here.
            if rawExifAllowed { exif = value }
        } else if key.elementsEqual("Raw profile type exif".utf8) {
            rawProfileExif = value
        } else if key.elementsEqual("XML:com.adobe.xmp".utf8) {
            xmpText = value
        }
    }

    private static func split(_ data: UnsafeRawBufferPointer) -> (key: ArraySlice<UInt8>, rest: ArraySlice<UInt8>) {
        let all = Array(data)[...]
        guard let zero = all.firstIndex(of: 0) else { return (all, []) }
        return (all[..<zero], all[(zero + 1)...])
    }

    /// Pillow's `getexif` sources, in its order of preference.
    private func orientationMetadata() -> OrientationMetadata {
        var metadata = OrientationMetadata()
        if let exif {
            metadata.exif = exif
        } else if let rawProfileExif {
            if let decoded = Self.decodeRawProfile(rawProfileExif) {
                metadata.exif = decoded
            } else {
                metadata.exifUnreadable = true
            }
        }
        if let xmpText, !xmpText.isEmpty {
            metadata.xmp = xmpText
        } else if let xmpBytes, !xmpBytes.isEmpty {
            metadata.xmp = xmpBytes
        }
        return metadata
    }

    /// ImageMagick's `Raw profile type exif` text: a blank line, `exif`, the length, then hex lines. Pillow
    /// joins the lines from the fourth on and decodes them with `bytes.fromhex`, which allows whitespace only
    /// between byte pairs.
    static func decodeRawProfile(_ text: [UInt8]) -> [UInt8]? {
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let hex = lines.dropFirst(3).joined()
        var result: [UInt8] = []
        result.reserveCapacity(hex.count / 2)
        var iterator = hex.makeIterator()
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while var byte = iterator.next() {
            while isSpace(byte) {
                guard let next = iterator.next() else { return result }
                byte = next
            }
            guard let high = value(byte), let low = iterator.next().flatMap(value) else { return nil }
            result.append(high << 4 | low)
        }
        return result
    }
}
