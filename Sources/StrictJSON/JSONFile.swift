import Foundation

/// Reading a JSON file whole, within a bound: configuration files and shard indexes are a few hundred
/// kilobytes at most, so a multi-gigabyte file with such a name is refused rather than read into memory.
package enum JSONFile {
    /// The largest JSON file read by default, in bytes (the bound safetensors puts on its header).
    package static let maximumSize = 100_000_000

    /// Why a file could not be read.
    package enum ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file system refused (missing file, permissions, a directory); the reason is its message.
        case unreadable(String)
        /// The file has more than `maximum` bytes.
        case tooLarge(maximum: Int)

        /// What went wrong, for messages that already name the file.
        package var description: String {
            switch self {
            case .unreadable(let reason): "cannot read: \(reason)"
            case .tooLarge(let maximum): "larger than \(maximum) bytes, far more than any such file needs"
            }
        }
    }

    /// The bytes of the file at `url`, if it has at most `maximumSize` of them. Reading stops after
    /// `maximumSize + 1` bytes, so a device or a file still growing cannot exhaust memory either.
    package static func contents(of url: URL, maximumSize: Int = maximumSize) throws(ReadError) -> [UInt8] {
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.read(upToCount: maximumSize + 1) ?? Data()
        } catch {
            throw .unreadable(error.localizedDescription)
        }
        guard data.count <= maximumSize else { throw .tooLarge(maximum: maximumSize) }
        return Array(data)
    }
}
