import CJPEG

/// Decodes JPEG pixels row by row with libjpeg-turbo's scanline API, through the C shim in Sources/CJPEG
/// that keeps libjpeg's `setjmp`/`longjmp` error handling inside C.
///
/// The settings are TurboJPEG's and Pillow's (accurate integer IDCT, fancy upsampling), and libjpeg picks the
/// colour space from the JFIF/Adobe markers, as it does under Pillow, so the rows are the bytes
/// `tjDecompress2` produced before. Gray and YCbCr/RGB files are decoded straight to RGB; CMYK and YCCK
/// files to CMYK, converted the way Pillow does (inverted "Adobe" polarity, then its `cmyk2rgb`).
///
/// Baseline files need only a few MCU rows of memory. Progressive (and multi-scan sequential) files make
/// libjpeg keep every DCT coefficient of the image until the last scan: 2 bytes per sample in libjpeg's own
/// arrays. We give it a sparse store instead (Sources/CJPEG/sparse_coefficients.c): every block's DC
/// coefficient and only its nonzero AC coefficients, 3 bytes a block for the smooth parts of an image, which
/// grows with the detail the file encodes and is limited by the decode's memory budget as it grows.
/// ``readHeader()`` reports the least it can take before anything is allocated.
struct JPEGRowDecoder: ~Copyable {
    /// Where libjpeg keeps a multi-scan file's coefficients; the pixels do not depend on it.
    enum CoefficientStorage {
        /// Compressed block rows and a small window of whole ones (the default).
        case sparse
        /// libjpeg's own whole-image arrays (for tests that compare the two).
        case libjpeg
    }

    /// libjpeg's memory needs, known from the markers before decompression starts.
    struct Header {
        /// The whole-image coefficient buffer of a multi-scan file (0 for a single scan); with sparse
        /// storage the least it takes, before the scans add their nonzero coefficients.
        var coefficientBytes: Int
        /// Everything else, estimated generously.
        var workingBytes: Int
        var estimatedBytes: Int { coefficientBytes + workingBytes }
    }

    /// TurboJPEG's `TJFLAG_LIMITSCANS` limit: progressive files with more scans take unbounded time.
    static let maximumScans: Int32 = 500

    private let reader: OpaquePointer
    private let structure: JPEGStructure
    private let bytes: UnsafeRawBufferPointer

    /// A decoder over `bytes`, which must stay valid (and unmoved) for the decoder's lifetime.
    init(_ structure: JPEGStructure, from bytes: UnsafeRawBufferPointer,
         coefficients: CoefficientStorage = .sparse) throws(ImageDecodingError) {
        guard let reader = cjpeg_reader_create(Self.maximumScans, coefficients == .sparse ? 1 : 0) else {
            throw .corrupt(source: nil, format: .jpeg, reason: "libjpeg could not create a decompressor")
        }
        self.reader = reader
        self.structure = structure
        self.bytes = bytes
    }

    deinit { cjpeg_reader_destroy(reader) }

    /// Reads the markers up to the first scan; what decompression will need.
    func readHeader() throws(ImageDecodingError) -> Header {
        var header = cjpeg_header()
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        guard cjpeg_reader_read_header(reader, base, bytes.count, &header) == 0 else { throw failure() }
        guard Int(header.width) == structure.width, Int(header.height) == structure.height else {
            throw .corrupt(source: nil, format: .jpeg, reason: "libjpeg read a different size than the frame header")
        }
        return Header(coefficientBytes: Int(header.coefficient_bytes), workingBytes: Int(header.working_bytes))
    }

    /// Decompresses every row into `consumer`; the whole-image coefficients may take at most `memoryLimit`
    /// bytes. ``readHeader()`` must have succeeded.
    ///
    /// A file that ends early makes libjpeg warn ("Premature end of JPEG file") and fill the missing rows
    /// with gray. Pillow instead raises "image file is truncated" whenever the data ends before the EOI
    /// marker, even if only the marker itself is missing, so a warning without an EOI is truncation. Other
    /// warnings (corrupt entropy data in a complete file) are accepted, as Pillow accepts them.
    func decode(into consumer: some ImageRowConsumer, memoryLimit: Int) throws(ImageDecodingError) {
        let cmyk = structure.componentCount == 4
        guard cjpeg_reader_start(reader, cmyk ? 1 : 0, memoryLimit) == 0 else { throw failure(memoryLimit: memoryLimit) }
        let channels = cmyk ? 4 : 3
        let capacity = Int(cjpeg_reader_rows_per_call(reader))
        let rowLength = structure.width * channels
        let rows = UnsafeMutablePointer<UInt8>.allocate(capacity: rowLength * capacity)
        defer { rows.deallocate() }
        let rgb = UnsafeMutablePointer<UInt8>.allocate(capacity: cmyk ? structure.width * 3 : 0)
        defer { rgb.deallocate() }
        var produced = 0
        while produced < structure.height {
            var count: Int32 = 0
            guard cjpeg_reader_read_rows(reader, rows, rowLength, Int32(capacity), &count) == 0 else { throw failure(memoryLimit: memoryLimit) }
            guard count > 0 else {
                throw .corrupt(source: nil, format: .jpeg, reason: "libjpeg stopped after \(produced) rows")
            }
            for index in 0..<Int(count) {
                let row = rows + index * rowLength
                if cmyk {
                    Self.convertCMYK(row, count: structure.width, into: rgb)
                    consumer.consume(rgb)
                } else {
                    consumer.consume(row)
                }
            }
            produced += Int(count)
        }
        guard cjpeg_reader_finish(reader) == 0 else { throw failure(memoryLimit: memoryLimit) }
        if cjpeg_reader_warned(reader) != 0, !structure.hasEndOfImage { throw .truncated(source: nil, format: .jpeg) }
    }

    /// The error for a failed call, from libjpeg's message.
    /// A stop by the sparse store's limit is ``ImageDecodingError/exceedsMemoryBudget(source:needed:budget:)``
    /// with the coefficients' bytes against `memoryLimit`, for the caller to add its own.
    private func failure(memoryLimit: Int = 0) -> ImageDecodingError {
        let refused = cjpeg_reader_refused_bytes(reader)
        if refused > 0 { return .exceedsMemoryBudget(source: nil, needed: refused, budget: memoryLimit) }
        let message = String(cString: cjpeg_reader_message(reader))
        if !structure.hasEndOfImage, message.contains("Premature end") || message.contains("no image") {
            return .truncated(source: nil, format: .jpeg)
        }
        if message.contains("Backing store not supported") {
            return .corrupt(source: nil, format: .jpeg, reason: "libjpeg's whole-image buffers exceed the memory budget")
        }
        return .corrupt(source: nil, format: .jpeg, reason: message.isEmpty ? "libjpeg failed" : message)
    }

    /// Pillow's CMYK path: its JPEG plugin reads libjpeg's CMYK as `CMYK;I` (every byte inverted, the Adobe
    /// convention), and `convert("RGB")` computes `R = 255 − K' − C'(255 − K')/255` with its rounded
    /// `MULDIV255`, where C' and K' are the inverted values; likewise for G and B.
    static func convertCMYK(_ cmyk: UnsafePointer<UInt8>, count: Int, into rgb: UnsafeMutablePointer<UInt8>) {
        var input = cmyk, output = rgb
        for _ in 0..<count {
            let notBlack = Int(input[3])  // 255 − K' where K' = 255 − k
            for channel in 0..<3 {
                let ink = 255 - Int(input[channel])
                let product = ink * notBlack + 128
                let scaled = ((product >> 8) + product) >> 8
                output[channel] = UInt8(clamping: notBlack - scaled)
            }
            input += 4
            output += 3
        }
    }
}
