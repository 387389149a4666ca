import Foundation

/// A file descriptor that records are written to, each with a single `write(2)` call (repeated
/// only if the kernel takes fewer bytes), with no user-space buffering. A record therefore
/// reaches the file — and survives the process being killed — as soon as it is written, and a
/// kill between two records leaves only whole records behind.
struct OutputSink: Sendable {
    /// Why writing failed: the destination's name and the system's reason.
    struct WriteError: Error, CustomStringConvertible {
        let destination: String
        let reason: String
        var description: String { "cannot write to \(destination): \(reason)" }
    }

    let descriptor: Int32
    /// The file's path, or `standard output`.
    let name: String

    /// Standard output.
    static let standardOutput = OutputSink(descriptor: STDOUT_FILENO, name: "standard output")

    /// Writes all of `text`.
    func write(_ text: String) throws(WriteError) {
        var text = text
        let failure: Int32? = text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw WriteError(destination: name, reason: String(cString: strerror(failure))) }
    }

    /// Flushes the file to stable storage (`fsync`), so that it also survives a power cut.
    func synchronize() {
        _ = fsync(descriptor)
    }
}
