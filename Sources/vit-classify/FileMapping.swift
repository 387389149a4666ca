import Foundation

/// A read-only memory mapping of the first bytes of an open file, unmapped when released.
///
/// `--resume` reads an output file through the descriptor it has locked rather than by path, so
/// what it reads is the very file it holds (not one that replaced it since).
final class FileMapping {
    /// The mapped bytes (empty for an empty file).
    let bytes: UnsafeRawBufferPointer

    /// Maps the first `length` bytes of the file open as `descriptor`.
    ///
    /// - Throws: the `errno` of a failed `mmap`.
    init(descriptor: Int32, length: Int) throws(SystemError) {
        guard length > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else { throw .current }
        bytes = UnsafeRawBufferPointer(start: address, count: length)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
