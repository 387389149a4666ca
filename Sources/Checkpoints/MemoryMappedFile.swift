import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory (`mmap` with `PROT_READ`, `MAP_PRIVATE`).
///
/// Mapping costs no reading: pages are faulted in from the page cache when first touched, so
/// opening a 346 MB checkpoint takes microseconds and resident memory grows only with what is
/// used. The mapping lives as long as this object; tensors that borrow its memory keep it alive.
///
/// The memory is read-only: writing through a pointer into it crashes (SIGSEGV). If the file is
/// truncated by another process while mapped, touching the lost pages raises SIGBUS — the
/// inherent risk of memory mapping, shared with every mmap-based loader (safetensors, llama.cpp).
public final class MemoryMappedFile: @unchecked Sendable {
    // @unchecked: the mapping is immutable after init and unmapped only in deinit.

    /// The mapped file.
    public let url: URL
    /// The file's bytes. Empty (with a `nil` base) for an empty file, which cannot be mapped.
    public let bytes: UnsafeRawBufferPointer

    /// Maps the file at `url`.
    ///
    /// - Throws: ``SafetensorsError/cannotOpen(file:reason:)`` if the file cannot be opened, is
    ///   not a regular file, or cannot be mapped.
    public init(url: URL) throws(SafetensorsError) {
        self.url = url
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(file: path, reason: Self.errorString()) }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .cannotOpen(file: path, reason: Self.errorString()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotOpen(file: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw .cannotOpen(file: path, reason: "mmap failed: \(Self.errorString())")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    /// The size of the file in bytes.
    public var count: Int { bytes.count }

    /// How many bytes of this mapping are currently resident in this process (the `Rss` of the
    /// mapping in `/proc/self/smaps`), or `nil` where that is unavailable (not Linux, empty file).
    ///
    /// Unlike the process-wide RSS this is unaffected by other allocations, which makes it a
    /// reliable way to check that opening a checkpoint reads nothing beyond its header.
    public var residentByteCount: Int? {
        #if os(Linux)
        guard let base = bytes.baseAddress, let smaps = Self.readProcFile("/proc/self/smaps") else { return nil }
        let start = UInt(bitPattern: base)
        var inMapping = false
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            // A mapping's header line is "start-end perms offset dev inode path"; the lines after
            // it, up to the next header, are "Key: value" statistics of that mapping.
            let firstField = line.prefix(while: { $0 != " " })
            if let dash = firstField.firstIndex(of: "-"), let lower = UInt(firstField[..<dash], radix: 16) {
                inMapping = lower == start
            } else if inMapping, line.hasPrefix("Rss:") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
                return kilobytes * 1024
            }
        }
        return nil
        #else
        return nil
        #endif
    }

    /// Reads a `/proc` file to its end. (Foundation's `String(contentsOfFile:)` trusts the size
    /// `stat` reports, which is 0 for `/proc` files, and returns only the first page.)
    static func readProcFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { break }
            contents.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: contents, as: UTF8.self)
    }

    private static func errorString() -> String {
        String(cString: strerror(errno))
    }
}

extension MemoryMappedFile {
    /// Drops the whole pages inside `range` (byte offsets into the file) from the process's
    /// resident memory; the bytes stay readable (they are faulted in again from the page cache).
    func releasePages(in range: Range<Int>) {
        guard let base = bytes.baseAddress, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page, end = range.upperBound / page * page
        guard start < end else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, Int32(MADV_DONTNEED))
    }

    /// Drops every page of the mapping from the process's resident memory, the last partial one
    /// included; the bytes stay readable.
    func releaseAllPages() {
        guard let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        madvise(UnsafeMutableRawPointer(mutating: base), (bytes.count + page - 1) / page * page, Int32(MADV_DONTNEED))
    }
}
