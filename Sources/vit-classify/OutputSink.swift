import Foundation

/// A file descriptor that records are written to, each with a single `write(2)` call (repeated
/// only if the kernel takes fewer bytes), with no user-space buffering. A record therefore
/// reaches the file — and survives the process being killed — as soon as it is written, and a
/// kill between two records leaves only whole records behind.
///
/// A write that fails part-way (disk full, `EFBIG`, `EIO`) would leave the start of a record
/// behind; on an `--output` file (``cutsBackOnFailure``) the file is cut back to the end of the
/// last complete record before the error is reported, so it still holds only whole records and
/// `--resume` continues it. The file is locked by this run (``OutputFile``), so its end is where
/// this run's last record ended.
struct OutputSink: Sendable {
    /// Why writing failed: the destination's name, the system's reason, and what became of the
    /// partial record.
    struct WriteError: Error, CustomStringConvertible {
        /// What was done about the bytes of the record that did reach the file.
        enum Cleanup: Sendable {
            /// Standard output or a stream: nothing can be undone.
            case none
            /// The file ends with its last complete record (cut back to it if need be).
            case complete
            /// Cutting the partial record off failed, for this reason.
            case cutFailed(String)
        }

        let destination: String
        let reason: String
        var cleanup: Cleanup = .none

        var description: String {
            let message = "cannot write to \(destination): \(reason)"
            switch cleanup {
            case .none: return message
            case .complete: return message + "; it holds only complete records, continue it with --resume"
            case .cutFailed(let why):
                return message + "; cutting off the partial last record failed too (\(why)), so --resume will "
                    + "drop it"
            }
        }
    }

    let descriptor: Int32
    /// The file's path, or `standard output`.
    let name: String
    /// Whether a partial record is cut off after a failed write (a regular `--output` file).
    var cutsBackOnFailure = false

    /// Standard output.
    static let standardOutput = OutputSink(descriptor: STDOUT_FILENO, name: "standard output")

    /// Writes all of `text`.
    func write(_ text: String) throws(WriteError) {
        var text = text
        let (written, failure) = text.withUTF8 { bytes in
            Self.writeAll(descriptor, UnsafeRawBufferPointer(bytes))
        }
        guard let failure else { return }
        var error = WriteError(destination: name, reason: failure.message)
        if cutsBackOnFailure { error.cleanup = cutBack(partialBytes: written) }
        throw error
    }

    /// Flushes the file to stable storage (`fsync`), so that it also survives a power cut.
    func synchronize() {
        _ = fsync(descriptor)
    }

    /// Writes `bytes` to `descriptor`, repeating short writes and those interrupted by a signal.
    /// - Returns: how many bytes were written, and the error that stopped the writing, if any.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> (Int, SystemError?) {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return (offset, SystemError.current)
            }
            offset += written
        }
        return (offset, nil)
    }

    /// Cuts the `partialBytes` of an unfinished record off the end of the file.
    private func cutBack(partialBytes: Int) -> WriteError.Cleanup {
        guard partialBytes > 0 else { return .complete }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .cutFailed(String(cString: strerror(errno))) }
        guard ftruncate(descriptor, status.st_size - off_t(partialBytes)) == 0 else {
            return .cutFailed(String(cString: strerror(errno)))
        }
        return .complete
    }
}
