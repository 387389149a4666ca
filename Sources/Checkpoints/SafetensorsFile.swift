import Foundation
import Tensors

/// A memory-mapped, validated safetensors file whose tensors are read as Float32.
///
/// Opening maps the file and validates the header; no tensor data is read. F32 tensors whose
/// data is 4-byte aligned (always the case for files written by the safetensors library, which
/// pads the header to 8 bytes) are returned **without copying**: the ``Tensors/Tensor`` borrows
/// the mapping and keeps it alive. Other F32 data is copied; F16, BF16 and F64 are converted once
/// per ``tensor(named:)`` call into newly allocated storage.
///
/// - Important: zero-copy tensors are read-only (the mapping is `PROT_READ`). Writing through
///   their `mutablePointer` crashes; ``Tensors/Tensor/copy()`` first. ``isZeroCopy(_:)`` tells
///   which tensors borrow the file.
public final class SafetensorsFile: NamedTensors {
    /// The file.
    public let url: URL
    /// The validated header.
    public let header: SafetensorsHeader
    /// How long mapping the file and validating its header took.
    public let openDuration: Duration

    let mapping: MemoryMappedFile
    private let index: [String: Int]

    /// Memory-maps and validates the safetensors file at `url`.
    ///
    /// - Throws: ``SafetensorsError`` if the file cannot be mapped or violates the format.
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let clock = ContinuousClock()
        let start = clock.now
        let mapping = try MemoryMappedFile(url: url)
        let header = try SafetensorsHeader(parsing: mapping.bytes, path: url.path)
        self.url = url
        self.mapping = mapping
        self.header = header
        self.index = Dictionary(uniqueKeysWithValues: header.tensors.enumerated().map { ($1.name, $0) })
        self.openDuration = clock.now - start
    }

    /// The `__metadata__` map of the file.
    public var metadata: [String: String] { header.metadata }

    /// The names of all tensors, in file order.
    public var tensorNames: [String] { header.tensors.map(\.name) }

    /// The size of the file in bytes.
    public var fileSize: Int { mapping.count }

    /// Bytes of this file currently resident in memory through its mapping (Linux), for checking
    /// that only touched tensors are paged in.
    public var residentByteCount: Int? { mapping.residentByteCount }

    /// The header entry of the tensor called `name`, or `nil` if there is none.
    public func info(of name: String) -> SafetensorsTensorInfo? {
        index[name].map { header.tensors[$0] }
    }

    /// The shape of the tensor called `name`, or `nil` if there is none.
    public func shape(of name: String) -> [Int]? {
        info(of: name)?.shape
    }

    /// Whether ``tensor(named:)`` returns the tensor called `name` without copying (F32 data,
    /// 4-byte aligned, on a little-endian machine).
    public func isZeroCopy(_ name: String) -> Bool {
        guard let info = info(of: name), info.dtype == .f32, let base = mapping.bytes.baseAddress else {
            return false
        }
        #if _endian(little)
        let address = base + header.dataOffset + info.byteRange.lowerBound
        return Int(bitPattern: address) % MemoryLayout<Float>.alignment == 0
        #else
        return false
        #endif
    }

    /// The tensor called `name` as Float32.
    ///
    /// - Throws: ``SafetensorsError/tensorNotFound(file:tensor:)`` or
    ///   ``SafetensorsError/unsupportedDType(file:tensor:dtype:)`` (e.g. for I64).
    public func tensor(named name: String) throws(SafetensorsError) -> Tensor {
        guard let info = info(of: name) else { throw .tensorNotFound(file: url.path, tensor: name) }
        guard info.dtype.isConvertibleToFloat32 else {
            throw .unsupportedDType(file: url.path, tensor: name, dtype: info.dtype)
        }
        let count = info.elementCount
        let byteCount = count * MemoryLayout<Float>.stride
        guard count > 0, let base = mapping.bytes.baseAddress else {
            return Tensor(shape: info.shape, storage: TensorStorage(byteCount: 0))
        }
        // In bounds: the header validation proved dataOffset + byteRange lies inside the file.
        let source = base + header.dataOffset + info.byteRange.lowerBound
        if isZeroCopy(name) {
            let storage = TensorStorage(borrowing: UnsafeMutableRawPointer(mutating: source),
                                        byteCount: byteCount, owner: mapping)
            return Tensor(shape: info.shape, storage: storage)
        }
        // The allocation is bounded by the file's size (at most 2× for F16/BF16), never by an
        // unvalidated number.
        let storage = TensorStorage(byteCount: byteCount)
        DType.convertToFloat32(info.dtype, from: source, count: count,
                               into: storage.baseAddress.assumingMemoryBound(to: Float.self))
        return Tensor(shape: info.shape, storage: storage)
    }
}
