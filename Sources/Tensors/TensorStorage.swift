import Foundation

/// A block of memory that holds tensor elements, owned by whoever must release it.
///
/// Storage is a reference type: every ``Tensor`` viewing it shares the same bytes. It is either
/// allocated here (64-byte aligned, released on deinit) or borrowed from an owner that keeps the
/// memory alive (for example a memory-mapped checkpoint file), so weights can be used in place
/// without a copy.
///
/// The storage is `@unchecked Sendable`: it hands out raw pointers, and callers that write through
/// them are responsible for not racing with readers. Model weights are written once, at load time,
/// and only read afterwards.
public final class TensorStorage: @unchecked Sendable {
    /// The first byte of the storage.
    public let baseAddress: UnsafeMutableRawPointer
    /// The size of the storage in bytes.
    public let byteCount: Int
    /// What keeps borrowed memory alive; `nil` when this storage allocated the memory itself.
    private let owner: AnyObject?

    /// The alignment of memory allocated by ``init(byteCount:)``: a cache line, and enough for any
    /// SIMD load the kernels do.
    public static let alignment = 64

    /// Allocates `byteCount` bytes, zero-filled and 64-byte aligned.
    public init(byteCount: Int) {
        precondition(byteCount >= 0, "negative byte count")
        self.byteCount = byteCount
        self.baseAddress = UnsafeMutableRawPointer.allocate(
            byteCount: max(byteCount, 1), alignment: Self.alignment)
        self.baseAddress.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        self.owner = nil
    }

    /// Allocates `byteCount` bytes, 64-byte aligned, without clearing them: for buffers the caller
    /// writes in full before reading (packed weights, a forward pass's activations), which saves
    /// touching every page twice.
    public init(uninitializedByteCount byteCount: Int) {
        precondition(byteCount >= 0, "negative byte count")
        self.byteCount = byteCount
        self.baseAddress = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
        self.owner = nil
    }

    /// Wraps memory that `owner` keeps alive, without copying it.
    ///
    /// - Parameters:
    ///   - baseAddress: The first byte.
    ///   - byteCount: The number of bytes.
    ///   - owner: An object whose lifetime covers the memory, such as a memory-mapped file.
    public init(borrowing baseAddress: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject) {
        self.baseAddress = baseAddress
        self.byteCount = byteCount
        self.owner = owner
    }

    /// Whether this storage allocated its memory (as opposed to borrowing it).
    public var isOwned: Bool { owner == nil }

    deinit {
        if owner == nil { baseAddress.deallocate() }
    }
}
