/// Reads the rows of one image (or one Adam7 pass) from an ``InflateCursor``: each row's filter byte and
/// samples are inflated, unfiltered against the previous row, and converted to 8-bit RGB.
///
/// It holds two raw rows and one RGB row, however many rows the image has.
final class PNGRowReader {
    /// Why a row could not be read.
    enum Failure: Error {
        case inflate(InflateCursor.Failure)
        /// A filter type other than 0–4.
        case badFilter(UInt8)
    }

    let cursor: InflateCursor
    /// Pixels per row.
    let pixelCount: Int
    private let rowBytes: Int
    private let unit: Int
    /// The row being read, filter byte first.
    private var current: UnsafeMutablePointer<UInt8>
    /// The previous unfiltered row, filter byte first (zeros before the first row).
    private var previous: UnsafeMutablePointer<UInt8>
    private let rgb: UnsafeMutablePointer<UInt8>

    /// Bytes of one row's samples, without the filter byte.
    static func rowBytes(pixelCount: Int, bitsPerPixel: Int) -> Int { (pixelCount * bitsPerPixel + 7) / 8 }

    /// The memory a reader of `pixelCount`-pixel rows holds, besides its cursor.
    static func estimatedBytes(pixelCount: Int, bitsPerPixel: Int) -> Int {
        2 * (rowBytes(pixelCount: pixelCount, bitsPerPixel: bitsPerPixel) + 1) + 3 * pixelCount
    }

    init(cursor: InflateCursor, pixelCount: Int, bitsPerPixel: Int) {
        self.cursor = cursor
        self.pixelCount = pixelCount
        rowBytes = Self.rowBytes(pixelCount: pixelCount, bitsPerPixel: bitsPerPixel)
        unit = max(bitsPerPixel / 8, 1)
        current = .allocate(capacity: rowBytes + 1)
        previous = .allocate(capacity: rowBytes + 1)
        previous.initialize(repeating: 0, count: rowBytes + 1)
        rgb = .allocate(capacity: 3 * pixelCount)
    }

    deinit {
        current.deallocate()
        previous.deallocate()
        rgb.deallocate()
    }

    /// Reads the next row; returns its `pixelCount` RGB pixels, valid until the next call.
    func next(_ converter: PNGPixelConverter) throws(Failure) -> UnsafePointer<UInt8> {
        do {
            try cursor.read(into: UnsafeMutableRawBufferPointer(start: current, count: rowBytes + 1))
        } catch {
            throw .inflate(error)
        }
        let type = current[0]
        guard PNGUnfilter.unfilter(type: type, row: current + 1, previous: previous + 1, count: rowBytes,
                                   unit: unit) else { throw .badFilter(type) }
        converter.convert(current + 1, count: pixelCount, into: rgb)
        swap(&current, &previous)
        return UnsafePointer(rgb)
    }
}
