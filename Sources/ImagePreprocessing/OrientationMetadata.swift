/// The metadata a file carries about its orientation, and the rules Pillow 13 uses to turn it into one
/// ``ExifOrientation`` (`Image.getexif` followed by `ImageOps.exif_transpose`).
///
/// Pillow reads the `Orientation` tag from the first image file directory (IFD0) of the EXIF data only, so no
/// chain of IFDs is followed and a looping or huge IFD cannot make the reader loop or allocate: every read is
/// bounds-checked against the EXIF bytes themselves. Only when the EXIF data has no `Orientation` tag does
/// Pillow look for `tiff:Orientation` in the XMP packet.
struct OrientationMetadata {
    /// The EXIF data as Pillow collects it: a JPEG's `Exif` APP1 payloads, or a PNG's `eXIf` chunk, each
    /// possibly starting with `Exif\0\0`.
    var exif: [UInt8]?
    /// Whether the EXIF data could not even be collected (e.g. invalid hex in a PNG's
    /// `Raw profile type exif`); Pillow then raises inside `getexif`, and we apply no orientation.
    var exifUnreadable = false
    /// The XMP packet, if any.
    var xmp: [UInt8]?

    /// The orientation Pillow's `exif_transpose` would apply.
    var orientation: ExifOrientation {
        if exifUnreadable { return .topLeft }
        switch Self.orientationTag(inEXIF: exif ?? []) {
        case .invalidHeader:
            // Pillow's getexif stops with an exception before it looks at XMP; the image stays as stored.
            return .topLeft
        case .present(let value):
            return Self.orientation(exactly: value) ?? .topLeft
        case .absent:
            guard let xmp, let digit = Self.xmpOrientationDigit(xmp) else { return .topLeft }
            return ExifOrientation(rawValue: digit) ?? .topLeft
        }
    }

    /// The outcome of looking for the `Orientation` tag in EXIF data.
    enum TagLookup: Equatable {
        /// Not a TIFF structure Pillow accepts.
        case invalidHeader
        /// No usable `Orientation` entry in IFD0.
        case absent
        /// An `Orientation` entry; its value as a number, or `nil` for a non-numeric type (BYTE, ASCII,
        /// UNDEFINED), which Pillow stores but which matches no orientation.
        case present(Double?)
    }

    /// Reads IFD0's `Orientation` entry the way Pillow's `ImageFileDirectory_v2.load` does.
    static func orientationTag(inEXIF bytes: [UInt8]) -> TagLookup {
        // Pillow strips one or two leading "Exif\0\0" markers (a PNG eXIf chunk may repeat it).
        let marker: [UInt8] = Array("Exif".utf8) + [0, 0]
        var start = 0
        for _ in 0..<2 where bytes[start...].starts(with: marker) { start += marker.count }
        let data = bytes[start...]
        if data.isEmpty { return .absent }
        guard data.count >= 8 else { return .invalidHeader }
        let base = data.startIndex
        let head = Array(data[base..<base + 4])
        let accepted: [[UInt8]] = [[0x4D, 0x4D, 0x00, 0x2A], [0x49, 0x49, 0x2A, 0x00], [0x4D, 0x4D, 0x2A, 0x00],
                                   [0x49, 0x49, 0x00, 0x2A], [0x4D, 0x4D, 0x00, 0x2B], [0x49, 0x49, 0x2B, 0x00]]
        guard accepted.contains(head) else { return .invalidHeader }
        // Pillow takes BigTIFF from the third byte, which is 0x2B only in the little-endian form, and then
        // fails to read a BigTIFF header from the eight bytes it has.
        if head[2] == 0x2B { return .invalidHeader }
        let reader = EndianReader(data: data, bigEndian: head[0] == 0x4D)

        var position = Int(reader.uint32(at: 4)!)
        guard let entryCount = reader.uint16(at: position) else { return .absent }
        position += 2
        let limit = data.count
        var outOfLineTotal = 0
        var seenTags: Set<UInt16> = []
        for _ in 0..<entryCount {
            guard let tag = reader.uint16(at: position), let type = reader.uint16(at: position + 2),
                  let count = reader.uint32(at: position + 4), reader.has(position + 8, 4) else {
                break  // Pillow keeps the entries it read before the table ran out.
            }
            let valueField = position + 8
            position += 12
            if seenTags.contains(tag) { continue }  // The first entry for a tag wins.
            guard let unitSize = unitSizes[type] else { continue }  // Unknown types are skipped.
            let size = Int(count) * unitSize
            let valueOffset: Int
            if size > 4 {
                outOfLineTotal += size
                if outOfLineTotal > limit { continue }
                valueOffset = Int(reader.uint32(at: valueField)!)
                guard reader.has(valueOffset, size) else { continue }
            } else {
                valueOffset = valueField
            }
            if size == 0 { continue }
            seenTags.insert(tag)
            if tag == 0x0112 {
                return .present(reader.firstNumber(ofType: type, at: valueOffset))
            }
        }
        return .absent
    }

    /// Bytes per value of each TIFF field type Pillow loads.
    private static let unitSizes: [UInt16: Int] = [
        1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8,
    ]

    /// The orientation `value` selects in Pillow's lookup table: a number equal to 1–8 (so 6.0 and the
    /// rational 12/2 count as 6, while 6.5 and NaN do not).
    static func orientation(exactly value: Double?) -> ExifOrientation? {
        guard let value, value.rounded() == value, value >= 1, value <= 8 else { return nil }
        return ExifOrientation(rawValue: Int(value))
    }

    /// The digit of the first `tiff:Orientation="d` or `tiff:Orientation>d` in an XMP packet, which is what
    /// Pillow's regular expression `tiff:Orientation(="|>)([0-9])` captures.
    static func xmpOrientationDigit(_ xmp: [UInt8]) -> Int? {
        let key = Array("tiff:Orientation".utf8)
        guard xmp.count > key.count + 1 else { return nil }
        var index = 0
        while index + key.count + 2 <= xmp.count {
            if xmp[index] == key[0], xmp[index..<index + key.count].elementsEqual(key) {
                var next = index + key.count
                if xmp[next] == UInt8(ascii: "=") {
                    next += 1
                    guard next < xmp.count, xmp[next] == UInt8(ascii: "\"") else { index += 1; continue }
                } else if xmp[next] != UInt8(ascii: ">") {
                    index += 1
                    continue
                }
                next += 1
                if next < xmp.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(xmp[next]) {
                    return Int(xmp[next] - UInt8(ascii: "0"))
                }
            }
            index += 1
        }
        return nil
    }
}

/// Bounds-checked reads of TIFF values in either byte order; every accessor returns `nil` rather than
/// reading outside the data.
private struct EndianReader {
    let data: ArraySlice<UInt8>
    let bigEndian: Bool

    func has(_ offset: Int, _ length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= data.count && length <= data.count - offset
    }

    private func unsigned(at offset: Int, length: Int) -> UInt64? {
        guard has(offset, length) else { return nil }
        var value: UInt64 = 0
        let start = data.startIndex + offset
        for index in 0..<length {
            let byte = UInt64(data[start + (bigEndian ? index : length - 1 - index)])
            value = value << 8 | byte
        }
        return value
    }

    func uint16(at offset: Int) -> UInt16? { unsigned(at: offset, length: 2).map { UInt16($0) } }
    func uint32(at offset: Int) -> UInt32? { unsigned(at: offset, length: 4).map { UInt32($0) } }

    /// The first value of a field of `type` whose data starts at `offset`, as a number, or `nil` for types
    /// Pillow turns into bytes or text.
    func firstNumber(ofType type: UInt16, at offset: Int) -> Double? {
        switch type {
        case 3: return uint16(at: offset).map { Double($0) }
        case 4, 13: return uint32(at: offset).map { Double($0) }
        case 6: return unsigned(at: offset, length: 1).map { Double(Int8(truncatingIfNeeded: $0)) }
        case 8: return unsigned(at: offset, length: 2).map { Double(Int16(truncatingIfNeeded: $0)) }
        case 9: return unsigned(at: offset, length: 4).map { Double(Int32(truncatingIfNeeded: $0)) }
        case 16: return unsigned(at: offset, length: 8).map { Double($0) }
        case 11: return uint32(at: offset).map { Double(Float(bitPattern: $0)) }
        case 12: return unsigned(at: offset, length: 8).map { Double(bitPattern: $0) }
        case 5, 10:
            guard let numerator = unsigned(at: offset, length: 4),
                  let denominator = unsigned(at: offset + 4, length: 4) else { return nil }
            let signed = type == 10
            let num = signed ? Int64(Int32(truncatingIfNeeded: numerator)) : Int64(numerator)
            let den = signed ? Int64(Int32(truncatingIfNeeded: denominator)) : Int64(denominator)
            // Pillow compares the exact fraction, so only whole quotients can equal an orientation.
            guard den != 0, num % den == 0 else { return nil }
            return Double(num / den)
        default: return nil
        }
    }
}
