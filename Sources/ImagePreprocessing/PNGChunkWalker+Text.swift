/// The text chunks a walk reads: only for the keys that can carry an orientation, inflated with Pillow's caps.
extension PNGChunkWalker {
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
    mutating func readText(_ data: UnsafeRawBufferPointer) throws(ImageDecodingError) {
        let (key, value) = Self.split(data)
        guard !key.isEmpty else { return }
        record(key: key, value: Array(value), rawExifAllowed: true)
        try countText(value.count)
    }

    /// `keyword\0method compressed-text`. Pillow rejects any method but 0 and any text over 1 MB; text that
    /// does not inflate reads as empty.
    mutating func readCompressedText(_ data: UnsafeRawBufferPointer) throws(ImageDecodingError) {
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
    mutating func readInternationalText(_ data: UnsafeRawBufferPointer) throws(ImageDecodingError) {
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
    func checkColorProfile(_ data: UnsafeRawBufferPointer) throws(ImageDecodingError) {
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
    func orientationMetadata() -> OrientationMetadata {
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
