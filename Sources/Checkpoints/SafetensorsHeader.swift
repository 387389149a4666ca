import StrictJSON
/// Where one tensor lives in a safetensors file, as declared by the header and validated.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    /// The tensor's name, e.g. `vit.encoder.layer.0.attention.attention.query.weight`.
    public let name: String
    /// The stored element type.
    public let dtype: DType
    /// The extent of each dimension, outermost first (empty for a scalar).
    public let shape: [Int]
    /// The tensor's bytes, relative to the start of the data section (after the header).
    public let byteRange: Range<Int>

    /// The number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// The parsed and validated header of a safetensors file.
///
/// Format: an 8-byte little-endian header length `n`, `n` bytes of UTF-8 JSON mapping tensor
/// names to `{"dtype", "shape", "data_offsets": [begin, end]}` (plus an optional `__metadata__`
/// string map), then the data section. Validation follows the reference implementation: the
/// header length is bounded and inside the file; the tensors, sorted by offsets, tile the data
/// section exactly (no gap, no overlap, nothing left over); each byte range is exactly
/// element count × dtype size, computed with overflow checks; names are unique.
public struct SafetensorsHeader: Sendable {
    /// The largest accepted header, in bytes (the reference implementation's `MAX_HEADER_SIZE`).
    public static let maximumHeaderLength: UInt64 = 100_000_000

    /// The free-form `__metadata__` map (`{"format": "pt"}` for files written by transformers).
    public let metadata: [String: String]
    /// The tensors in file order (ascending byte offsets).
    public let tensors: [SafetensorsTensorInfo]
    /// The offset of the data section from the start of the file: 8 + the header length.
    public let dataOffset: Int

    /// Parses and validates the header of a complete safetensors file.
    ///
    /// - Parameters:
    ///   - file: The whole file's bytes (typically a memory mapping; only the header is read).
    ///   - path: The file's path, for error messages.
    /// - Throws: ``SafetensorsError`` describing the first violated rule.
    public init(parsing file: UnsafeRawBufferPointer, path: String) throws(SafetensorsError) {
        guard file.count >= 8 else { throw .headerTooSmall(file: path, fileSize: file.count) }
        let headerLength = UInt64(littleEndian: file.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard headerLength <= Self.maximumHeaderLength else {
            throw .headerTooLarge(file: path, headerLength: headerLength)
        }
        // headerLength ≤ 10⁸, so the addition cannot overflow.
        let headerEnd = 8 + Int(headerLength)
        guard headerEnd <= file.count else {
            throw .headerLengthExceedsFile(file: path, headerLength: headerLength, fileSize: file.count)
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: file[8..<headerEnd])

        let json: JSONValue
        do {
            json = try JSONParser.parse(headerBytes, duplicateKeys: .reject)
        } catch {
            switch error.problem {
            case .invalidUTF8:
                throw .headerNotUTF8(file: path)
            case .duplicateKey(let key) where error.depth == 1 && key != "__metadata__":
                throw .duplicateTensorName(file: path, tensor: key)
            default:
                throw .invalidHeaderJSON(file: path, reason: error.description)
            }
        }
        guard case .object(let object) = json else {
            throw .invalidHeaderJSON(file: path, reason: "the header is \(json.kindDescription), not an object")
        }

        var metadata: [String: String] = [:]
        var entries: [(info: RawEntry, order: Int)] = []
        for (key, value) in object.members {
            if key == "__metadata__" {
                metadata = try Self.parseMetadata(value, path: path)
            } else {
                entries.append((try RawEntry(name: key, value: value, path: path), entries.count))
            }
        }

        // Sort by (begin, end) as the reference does; earlier header order breaks ties so the
        // result is deterministic.
        entries.sort { lhs, rhs in
            (lhs.info.begin, lhs.info.end, lhs.order) < (rhs.info.begin, rhs.info.end, rhs.order)
        }
        var tensors: [SafetensorsTensorInfo] = []
        tensors.reserveCapacity(entries.count)
        var expectedBegin: UInt64 = 0
        for (entry, _) in entries {
            tensors.append(try entry.validated(expectedBegin: expectedBegin, path: path))
            expectedBegin = entry.end
        }
        let dataSize = file.count - headerEnd
        guard expectedBegin == UInt64(dataSize) else {
            throw .dataSizeMismatch(file: path, covered: expectedBegin, dataSize: dataSize)
        }
        self.metadata = metadata
        self.tensors = tensors
        self.dataOffset = headerEnd
    }

    private static func parseMetadata(_ value: JSONValue, path: String) throws(SafetensorsError) -> [String: String] {
        switch value {
        case .null:
            return [:]
        case .object(let object):
            var metadata: [String: String] = [:]
            for (key, value) in object.members {
                guard case .string(let string) = value else {
                    throw .invalidMetadata(file: path, reason: "value of \"\(key)\" is \(value.kindDescription), not a string")
                }
                metadata[key] = string
            }
            return metadata
        default:
            throw .invalidMetadata(file: path, reason: "is \(value.kindDescription), not an object of strings")
        }
    }
}

/// A header entry whose fields have the right JSON types, before the layout is checked.
private struct RawEntry {
    let name: String
    let dtype: DType
    let shape: [UInt64]
    let begin: UInt64
    let end: UInt64

    init(name: String, value: JSONValue, path: String) throws(SafetensorsError) {
        func invalid(_ reason: String) -> SafetensorsError {
            .invalidTensorEntry(file: path, tensor: name, reason: reason)
        }
        guard case .object(let object) = value else { throw invalid("entry is \(value.kindDescription), not an object") }
        // Unknown members are ignored, as serde does for the reference implementation.
        func member(_ key: String) throws(SafetensorsError) -> JSONValue {
            guard let member = object[key] else { throw invalid("missing \"\(key)\"") }
            return member
        }
        func unsignedIntegers(_ elements: [JSONValue], of key: String) throws(SafetensorsError) -> [UInt64] {
            var integers: [UInt64] = []
            for element in elements {
                guard case .number(let number) = element, let integer = number.uint64Value else {
                    throw invalid("\"\(key)\" must hold non-negative integers, found \(element.briefDescription)")
                }
                integers.append(integer)
            }
            return integers
        }
        let dtypeValue = try member("dtype")
        guard case .string(let dtypeName) = dtypeValue else {
            throw invalid("\"dtype\" is \(dtypeValue.kindDescription), not a string")
        }
        guard let dtype = DType(rawValue: dtypeName) else { throw .unknownDType(file: path, tensor: name, dtype: dtypeName) }
        let shapeValue = try member("shape")
        guard case .array(let shapeElements) = shapeValue else {
            throw invalid("\"shape\" is \(shapeValue.kindDescription), not an array")
        }
        let shape = try unsignedIntegers(shapeElements, of: "shape")
        guard case .array(let offsets) = try member("data_offsets"), offsets.count == 2 else {
            throw invalid("\"data_offsets\" must be [begin, end]")
        }
        let bounds = try unsignedIntegers(offsets, of: "data_offsets")
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.begin = bounds[0]
        self.end = bounds[1]
    }

    /// Checks this entry against the running layout, in the reference implementation's order:
    /// contiguity first, then overflow, then the byte count.
    func validated(expectedBegin: UInt64, path: String) throws(SafetensorsError) -> SafetensorsTensorInfo {
        if end < begin {
            throw .invalidOffsets(file: path, tensor: name, begin: begin, end: end, problem: .endBeforeBegin)
        }
        if begin > expectedBegin {
            throw .invalidOffsets(file: path, tensor: name, begin: begin, end: end, problem: .gap(expectedBegin: expectedBegin))
        }
        if begin < expectedBegin {
            throw .invalidOffsets(file: path, tensor: name, begin: begin, end: end,
                                  problem: .overlap(expectedBegin: expectedBegin))
        }
        // Extents beyond Int.max cannot describe memory we could address, so they count as an
        // overflow here (the reference, with 64-bit usize, would accept only the degenerate case
        // of such an extent next to a zero).
        var elementCount = 1
        var intShape: [Int] = []
        for extent in shape {
            guard extent <= UInt64(Int.max) else { throw .sizeOverflow(file: path, tensor: name, shape: shape) }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: Int(extent))
            guard !overflow else { throw .sizeOverflow(file: path, tensor: name, shape: shape) }
            elementCount = product
            intShape.append(Int(extent))
        }
        let (bitCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.bitWidth)
        guard !overflow else { throw .sizeOverflow(file: path, tensor: name, shape: shape) }
        guard bitCount % 8 == 0 else {
            throw .misalignedPackedTensor(file: path, tensor: name, dtype: dtype, shape: intShape)
        }
        let byteCount = bitCount / 8
        guard UInt64(byteCount) == end - begin else {
            throw .byteCountMismatch(file: path, tensor: name, dtype: dtype, shape: intShape,
                                     expected: byteCount, actual: end - begin)
        }
        // Keeping every end ≤ Int.max (by induction: begin is the previous end) makes the
        // conversion to Int ranges safe; the caller then checks the last end against the data size.
        guard begin <= UInt64(Int.max - byteCount) else { throw .sizeOverflow(file: path, tensor: name, shape: shape) }
        let start = Int(begin)
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: intShape, byteRange: start..<(start + byteCount))
    }
}
