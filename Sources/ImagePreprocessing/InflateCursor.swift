import CPNG

/// A position in the zlib stream that a PNG file's `IDAT` chunks carry, from which the next inflated bytes can
/// be read a row at a time.
///
/// A cursor can be copied (`inflateCopy`: zlib's state and its 32 KB window, about 40 KB), which is how the
/// Adam7 reader keeps one cursor at the start of every interlace pass after a single sweep over the stream.
/// Reads follow libpng's rules, so that files fail the way they do under libpng: the stream ending (or the
/// data running out) before a row is complete is missing data, and a zlib error inside the bytes a row needs is
/// corruption, while anything after the last row is never read.
final class InflateCursor {
    /// Why a read could not produce every byte it was asked for.
    enum Failure: Error, Equatable {
        /// The data ended, or the zlib stream did, before the image did (libpng: "Not enough image data").
        case missingData
        /// zlib rejected the data; its message.
        case invalid(String)
    }

    /// The data of each chunk of the image-data run, in order; they form one zlib stream.
    private let chunks: [UnsafeRawBufferPointer]
    /// The chunk `stream.next_in` points into.
    private var chunkIndex: Int
    /// zlib's state points back at the `z_stream` it belongs to, so the structure may never move.
    private let stream: UnsafeMutablePointer<z_stream>
    private var ended = false

    /// zlib's memory for one stream: its state (about 7 KB) and a 32 KB window, rounded up.
    static let estimatedBytes = 48 * 1024

    /// A cursor at the start of the stream.
    init(chunks: [UnsafeRawBufferPointer]) throws(Failure) {
        self.chunks = chunks
        chunkIndex = 0
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateInit_(stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw .invalid("zlib could not start inflating")
        }
        setInput(chunk: 0)
    }

    /// A cursor at the same position as `other`, independent of it from then on.
    init(copying other: InflateCursor) throws(Failure) {
        chunks = other.chunks
        chunkIndex = other.chunkIndex
        ended = other.ended
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateCopy(stream, other.stream) == Z_OK else {
            stream.deallocate()
            throw .invalid("zlib could not copy an inflate state")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    private func setInput(chunk index: Int) {
        chunkIndex = index
        guard index < chunks.count, let base = chunks[index].baseAddress else {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
            return
        }
        // zlib never writes through next_in; the pointer type is merely not const.
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(chunks[index].count)
    }

    /// Fills `buffer` with the next inflated bytes.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) {
        guard !buffer.isEmpty else { return }
        guard !ended else { throw .missingData }
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        // Rows of a PNG no wider than 1,000,000 pixels of 8 bytes are far below zlib's 32-bit counts.
        stream.pointee.avail_out = uInt(buffer.count)
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 {
                // Skip to the next chunk with data; zero-length IDAT chunks are legal.
                var next = chunkIndex + 1
                while next < chunks.count && chunks[next].isEmpty { next += 1 }
                guard next < chunks.count else { throw .missingData }
                setInput(chunk: next)
            }
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                ended = true
                if stream.pointee.avail_out > 0 { throw .missingData }
            case Z_BUF_ERROR:
                // No progress was possible: inflate wants more input, which the loop supplies, or has none.
                if stream.pointee.avail_in > 0 { throw .invalid("zlib made no progress") }
            case Z_NEED_DICT:
                throw .invalid("the image data asks for a preset dictionary")
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .invalid(message)
            }
        }
    }

    /// Reads and discards `count` bytes through `scratch`.
    func skip(_ count: Int, scratch: UnsafeMutableRawBufferPointer) throws(Failure) {
        var remaining = count
        while remaining > 0 {
            let piece = min(remaining, scratch.count)
            try read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<piece]))
            remaining -= piece
        }
    }
}
