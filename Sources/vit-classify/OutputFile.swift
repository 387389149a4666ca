import Foundation

/// Opening the `--output` file.
enum OutputFile {
    /// Opens `path` for appending records: emptied first, or — when resuming — cut back to the
    /// end of its last complete record.
    static func open(_ path: String, resuming state: ResumeState?) throws(UsageError) -> OutputSink {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (state == nil ? O_TRUNC : 0)
        let descriptor = Foundation.open(path, flags, 0o644)
        guard descriptor >= 0 else {
            throw UsageError("cannot open \(path) for writing: \(String(cString: strerror(errno)))")
        }
        if let state {
            guard ftruncate(descriptor, off_t(state.keptLength)) == 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw UsageError("cannot cut \(path) back to its last complete record: \(reason)")
            }
        }
        // O_APPEND after the cut: every write lands at the end, whatever else has the file open.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_APPEND)
        return OutputSink(descriptor: descriptor, name: path)
    }
}
