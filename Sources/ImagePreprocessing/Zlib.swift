import CPNG

/// zlib services for the PNG reader (checksums, bounded inflation of text chunks; the image data has its own
/// ``InflateCursor``) and for tests that build PNGs. zlib reports errors by return code, never by longjmp.
enum Zlib {
    /// The CRC-32 that PNG chunks carry, over `bytes`, continuing from `crc`.
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return crc }
        var remaining = bytes.count
        var value = UInt(crc)
        // zlib takes a 32-bit length; feed larger buffers in pieces.
        while remaining > 0 {
            let piece = min(remaining, Int(UInt32.max >> 1))
            value = CPNG.crc32(value, base, uInt(piece))
            base += piece
            remaining -= piece
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// `bytes` as a zlib stream, compressed for speed, or `nil` if zlib fails (it can only run out of memory).
    static func deflate(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                compress2(buffer.baseAddress, &capacity, input.baseAddress, uLong(input.count), Z_BEST_SPEED)
            }
        }
        guard status == Z_OK else { return nil }
        return Array(output[0..<Int(capacity)])
    }

    /// The outcome of inflating with a size cap.
    enum InflateResult: Equatable {
        /// The whole stream, within the cap.
        case complete([UInt8])
        /// The output would exceed the cap (Pillow raises for this in PNG text chunks).
        case tooLarge
        /// The data is not a valid zlib stream (Pillow then treats the text as empty).
        case invalid
    }

    /// Inflates the zlib stream `compressed`, producing at most `limit` bytes, like Python's
    /// `zlib.decompressobj().decompress(data, limit)` followed by a check for unconsumed input.
    ///
    /// - Parameters:
    ///   - limit: The most bytes to produce.
    ///   - stopAtLimit: Return the first `limit` bytes as complete instead of reporting ``InflateResult/tooLarge``.
    static func inflate(_ compressed: ArraySlice<UInt8>, limit: Int, stopAtLimit: Bool = false) -> InflateResult {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return .invalid }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var total = 0
        var chunk = [UInt8](repeating: 0, count: min(max(limit, 1), 64 * 1024))
        return compressed.withUnsafeBufferPointer { input -> InflateResult in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let produced: Int
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    let status = CPNG.inflate(&stream, Z_NO_FLUSH)
                    return status
                }
                produced = chunk.count - Int(stream.avail_out)
                if total + produced > limit {
                    guard stopAtLimit else { return .tooLarge }
                    output.append(contentsOf: chunk[0..<(limit - total)])
                    return .complete(output)
                }
                total += produced
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    return .complete(output)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where produced > 0:
                    continue
                case Z_BUF_ERROR:
                    // No progress is possible: the input ended before the stream did. Python returns what it
                    // has; for a text chunk that is as good as complete.
                    return .complete(output)
                default:
                    return .invalid
                }
            }
        }
    }
}
