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
        var walker = PNGChunkWalker(bytes: bytes)
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

    /// Samples per pixel for each colour type.
    var samplesPerPixel: Int {
        switch colorType {
        case 2: return 3
        case 4: return 2
        case 6: return 4
        default: return 1
        }
    }

    init(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, isInterlaced: Bool,
                     headerChunk: Range<Int>) {
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.colorType = colorType
        self.isInterlaced = isInterlaced
        self.headerChunk = headerChunk
    }

    mutating func addPalette(_ chunk: Range<Int>) { paletteChunk = chunk }
    mutating func addImageData(_ data: Range<Int>) { imageData.append(data) }
}
