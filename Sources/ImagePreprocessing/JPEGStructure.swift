import Foundation

/// What a walk over a JPEG file's markers finds, before any pixel is decoded: the frame header, the
/// orientation metadata Pillow collects, and whether the data reaches an end-of-image marker.
///
/// Segments are bounds-checked and skipped in place; only the `Exif` and XMP APP1 payloads are copied, and
/// those are bounded by the file's size.
struct JPEGStructure {
    /// Columns, from the frame header (SOF).
    var width = 0
    /// Rows, from the frame header.
    var height = 0
    /// Colour components: 1 (gray), 3 (YCbCr or RGB) or 4 (CMYK or YCCK).
    var componentCount = 0
    /// Whether an EOI marker follows the scans, i.e. the data was not cut off.
    var hasEndOfImage = false
    /// The `Exif` and XMP metadata Pillow's JPEG plugin collects (APP1 segments before the first scan).
    var orientationMetadata = OrientationMetadata()

    /// Walks the markers of `bytes`, which must start with `FF D8 FF`.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodingError) -> JPEGStructure {
        var structure = JPEGStructure()
        var position = 2
        var sawFrame = false
        let count = bytes.count

        func segmentLength(at offset: Int) throws(ImageDecodingError) -> Int {
            guard offset + 2 <= count else { throw .truncated(source: nil, format: .jpeg) }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            guard length >= 2 else {
                throw .corrupt(source: nil, format: .jpeg, reason: "segment length \(length) at byte \(offset)")
            }
            guard offset + length <= count else { throw .truncated(source: nil, format: .jpeg) }
            return length
        }

        // Header segments, up to the first start of scan.
        while true {
            // Like Pillow and libjpeg, skip bytes that are not a marker and fill bytes (repeated FF).
            while position < count, bytes[position] != 0xFF { position += 1 }
            while position < count, bytes[position] == 0xFF { position += 1 }
            guard position < count else { throw .truncated(source: nil, format: .jpeg) }
            let marker = bytes[position]
            position += 1
            switch marker {
            case 0x00, 0x01, 0xD0...0xD8:
                continue  // Stuffed zero, TEM, RSTn, SOI: no segment.
            case 0xD9:
                throw .corrupt(source: nil, format: .jpeg, reason: "end-of-image marker before any scan")
            default:
                break
            }
            let length = try segmentLength(at: position)
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(position + 2)..<(position + length)])
            switch marker {
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                if !sawFrame {
                    // Lossless (SOF3, 7, 11, 15) and hierarchical (SOF5–7, 13–15) processes are beyond
                    // libjpeg-turbo 2.1's 8-bit decoder; say so instead of relaying its error.
                    if [0xC3, 0xC5, 0xC6, 0xC7, 0xCB, 0xCD, 0xCE, 0xCF].contains(marker) {
                        throw .unsupported(source: nil, format: .jpeg,
                                           reason: "lossless or hierarchical JPEG (SOF marker FF \(String(marker, radix: 16, uppercase: true)))")
                    }
                    try structure.readFrameHeader(payload)
                    sawFrame = true
                }
            case 0xE1:
                structure.readAPP1(payload)
            case 0xDA:
                guard sawFrame else {
                    throw .corrupt(source: nil, format: .jpeg, reason: "scan before the frame header")
                }
                position += length
                structure.hasEndOfImage = endOfImage(after: position, in: bytes)
                return structure
            default:
                break
            }
            position += length
        }
    }

    private mutating func readFrameHeader(_ payload: UnsafeRawBufferPointer) throws(ImageDecodingError) {
        guard payload.count >= 6 else { throw .corrupt(source: nil, format: .jpeg, reason: "short frame header") }
        let precision = payload[0]
        height = Int(payload[1]) << 8 | Int(payload[2])
        width = Int(payload[3]) << 8 | Int(payload[4])
        componentCount = Int(payload[5])
        guard precision == 8 else {
            throw .unsupported(source: nil, format: .jpeg, reason: "\(precision)-bit samples (Pillow reads 8-bit only)")
        }
        guard [1, 3, 4].contains(componentCount) else {
            throw .unsupported(source: nil, format: .jpeg, reason: "\(componentCount) colour components")
        }
        guard width > 0, height > 0 else {
            throw .unsupported(source: nil, format: .jpeg, reason: "a zero size in the frame header (DNL)")
        }
    }

    /// APP1 carries `Exif\0\0` + TIFF data or an XMP packet. Pillow keeps the first Exif payload and appends
    /// later ones after their `Exif\0\0`; it keeps the last XMP packet.
    private mutating func readAPP1(_ payload: UnsafeRawBufferPointer) {
        let exifMarker: [UInt8] = Array("Exif".utf8) + [0, 0]
        let xmpMarker = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]
        if payload.starts(with: exifMarker) {
            if orientationMetadata.exif == nil {
                orientationMetadata.exif = Array(payload)
            } else {
                orientationMetadata.exif! += payload.dropFirst(exifMarker.count)
            }
        } else if payload.starts(with: xmpMarker) {
            orientationMetadata.xmp = Array(payload.dropFirst(xmpMarker.count))
        }
    }

    /// Whether an EOI marker ends the entropy-coded data that starts at `position`, skipping the segments
    /// (tables, further scans) between scans. Within scan data `FF` is followed by a stuffed `00` or a restart
    /// marker, so the first other marker is a real one.
    private static func endOfImage(after start: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var position = start
        while position < count {
            guard let next = nextMarker(from: position, in: bytes) else { return false }
            let marker = bytes[next]
            position = next + 1
            switch marker {
            case 0xD9:
                return true
            case 0x00, 0x01, 0xD0...0xD7, 0xD8:
                continue
            default:
                // A segment between scans: skip it (a scan's entropy data follows SOS and is searched next).
                guard position + 2 <= count else { return false }
                let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
                guard length >= 2 else { return false }
                position += length
            }
        }
        return false
    }

    /// The index of the byte after the next `FF` run that is followed by a non-zero byte, or `nil`.
    private static func nextMarker(from start: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        let count = bytes.count
        guard start < count, let base = bytes.baseAddress else { return nil }
        var position = start
        while position < count {
            // memchr is much faster than a byte loop over entropy-coded data.
            guard let found = memchr(base + position, 0xFF, count - position) else { return nil }
            var index = base.distance(to: UnsafeRawPointer(found)) + 1
            while index < count, bytes[index] == 0xFF { index += 1 }
            guard index < count else { return nil }
            if bytes[index] != 0x00 { return index }
            position = index + 1
        }
        return nil
    }
}
