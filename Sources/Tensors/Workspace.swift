/// An arena of Float32 scratch memory for a forward pass: buffers are carved out by bumping a
/// pointer, and all of them are released at once by ``reset()``.
///
/// The first pass may not know how much it needs; when a block runs out, another block is
/// added (earlier buffers stay valid). At ``reset()`` the blocks are merged into one block big
/// enough for everything the pass used, so from the second pass on a pass of the same shape
/// allocates nothing at all.
///
/// A workspace belongs to one forward pass at a time; it is not thread-safe.
public final class Workspace {
    private var blocks: [TensorStorage] = []
    /// Floats used in the last block.
    private var used = 0
    /// Floats used by the current pass across all blocks (the high-water mark to consolidate to).
    private var usedThisPass = 0
    /// The most floats in use at once in any pass so far.
    public private(set) var peakFloats = 0

    /// Alignment of every buffer, in floats (64 bytes: a cache line, any vector load).
    static let alignmentFloats = TensorStorage.alignment / MemoryLayout<Float>.stride

    /// Creates a workspace, optionally with room for `capacity` floats up front.
    public init(capacity: Int = 0) {
        if capacity > 0 { blocks.append(TensorStorage(byteCount: capacity * MemoryLayout<Float>.stride)) }
    }

    /// The floats currently reserved across all blocks.
    public var capacity: Int { blocks.reduce(0) { $0 + $1.byteCount } / MemoryLayout<Float>.stride }

    /// A buffer of `count` floats, 64-byte aligned, valid until ``reset()``. Its contents are
    /// unspecified (whatever the previous pass left).
    public func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
        precondition(count >= 0, "negative buffer size")
        let rounded = (count + Self.alignmentFloats - 1) / Self.alignmentFloats * Self.alignmentFloats
        usedThisPass += rounded
        peakFloats = max(peakFloats, usedThisPass)
        if let last = blocks.last, used + rounded <= last.byteCount / MemoryLayout<Float>.stride {
            defer { used += rounded }
            return last.baseAddress.assumingMemoryBound(to: Float.self) + used
        }
        let block = TensorStorage(byteCount: max(rounded, 1 << 16) * MemoryLayout<Float>.stride)
        blocks.append(block)
        used = rounded
        return block.baseAddress.assumingMemoryBound(to: Float.self)
    }

    /// A `rows × columns` matrix in a fresh buffer.
    public func matrix(rows: Int, columns: Int) -> MutableMatrixView {
        MutableMatrixView(buffer(rows * columns), rows: rows, columns: columns)
    }

    /// A position in the workspace to return to with ``rewind(to:)``.
    public struct Mark {
        fileprivate let blockCount: Int
        fileprivate let used: Int
        fileprivate let usedThisPass: Int
    }

    /// The current position: buffers handed out from now on can be released together by
    /// ``rewind(to:)``, while earlier ones stay valid.
    public func mark() -> Mark {
        Mark(blockCount: blocks.count, used: used, usedThisPass: usedThisPass)
    }

    /// Releases every buffer handed out since `mark` (they must no longer be used), so the next
    /// buffers reuse that memory: a layer's scratch is then recycled by the next layer instead of
    /// the pass needing scratch for every layer at once.
    public func rewind(to mark: Mark) {
        if blocks.count == mark.blockCount {
            used = mark.used
        } else {
            // Blocks were added after the mark: the memory past the mark in the older block is
            // left unused for the rest of this pass; the next pass gets one block sized for the
            // peak and no longer needs this case.
            used = 0
        }
        usedThisPass = mark.usedThisPass
    }

    /// Releases every buffer handed out. If the pass needed more than one block, they are
    /// replaced by a single block that fits the whole pass, so the next pass allocates nothing.
    public func reset() {
        peakFloats = max(peakFloats, usedThisPass)
        if blocks.count > 1 {
            blocks = [TensorStorage(byteCount: peakFloats * MemoryLayout<Float>.stride)]
        }
        used = 0
        usedThisPass = 0
    }
}
