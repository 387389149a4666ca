import Foundation

/// The `--output` file, written by one run at a time.
///
/// It is claimed before anything reads or changes it: a regular file is opened and locked with
/// `flock(LOCK_EX | LOCK_NB)`, so a second run on the same file — with or without `--resume` —
/// stops at once (exit status 2) with the holder's process ID (``FileLockHolder``) instead of
/// labelling every image into it a second time. `flock` rather than `fcntl` record locks: its
/// lock belongs to the open file description, so no other `open`/`close` of the file in this
/// process can drop it, and the kernel releases it however the process ends, even SIGKILL, so a
/// killed run never leaves a stale lock. It is advisory, so it only stops programs that ask for
/// it, which vit-classify always does.
///
/// Devices, pipes and FIFOs (`-o /dev/null`, `-o /dev/stdout` on a pipe) are written as a
/// stream: neither locked (a lock on /dev/null would make every run using it wait for the
/// others) nor truncated, and they cannot be resumed.
final class OutputFile {
    /// What the path names.
    enum Kind {
        /// A regular file: locked, truncated or cut back, and cut back again after a failed write.
        case regularFile
        /// A device, pipe or FIFO: written in order, nothing more.
        case stream
    }

    /// The path as given.
    let path: String
    /// The open file, locked if a regular file.
    private(set) var descriptor: Int32
    let kind: Kind
    /// Whether this run created the file, which it then removes if it ends before writing.
    private var created: Bool

    private init(path: String, descriptor: Int32, kind: Kind, created: Bool) {
        self.path = path
        self.descriptor = descriptor
        self.kind = kind
        self.created = created
    }

    /// Opens and locks the file at `path`, creating it if there is none; nothing in it changes yet.
    ///
    /// - Throws: ``UsageError`` if another process holds the file's lock, if the file cannot be
    ///   opened, or — with `resuming` — if `path` is not a regular file.
    static func claim(_ path: String, resuming: Bool) throws(UsageError) -> OutputFile {
        // Another process may replace or remove the file between our open and our lock; then
        // the lock is on a file that no longer has this name, and the claim starts again.
        for _ in 0..<10 {
            if let file = try claimOnce(path, resuming: resuming) { return file }
        }
        throw UsageError("cannot claim \(path): another process keeps replacing it")
    }

    /// One attempt of ``claim(_:resuming:)``; `nil` if the path changed under it.
    private static func claimOnce(_ path: String, resuming: Bool) throws(UsageError) -> OutputFile? {
        var status = stat()
        let descriptor: Int32
        var created = false
        if stat(path, &status) != 0 {
            guard errno == ENOENT else { throw openError(path, errno) }
            var link = stat()
            if lstat(path, &link) == 0, FileKind(link) == .symbolicLink {
                // A link to a file not there yet: create its target, as a shell's `>` would (and
                // leave it, should the run end early: only the link's name is ours to judge).
                descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            } else {
                descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                created = descriptor >= 0
            }
            guard descriptor >= 0 else {
                if errno == EEXIST { return nil }
                throw openError(path, errno)
            }
        } else if let kind = FileKind(status), kind != .regularFile {
            guard !resuming, kind != .directory else {
                throw UsageError("cannot \(resuming ? "resume" : "write to") \(path): it is \(kind.description), "
                                 + "not a regular file")
            }
            // As a shell's `>` would: a FIFO's open waits for its reader.
            let stream = open(path, O_WRONLY | O_CLOEXEC)
            guard stream >= 0 else { throw openError(path, errno) }
            return OutputFile(path: path, descriptor: stream, kind: .stream, created: false)
        } else {
            descriptor = open(path, (resuming ? O_RDWR : O_WRONLY) | O_CLOEXEC)
            guard descriptor >= 0 else {
                if errno == ENOENT { return nil }
                throw openError(path, errno)
            }
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = code == EWOULDBLOCK ? FileLockHolder.describe(lockOn: descriptor) : nil
            close(descriptor)
            guard code == EWOULDBLOCK else { throw UsageError("cannot lock \(path): \(String(cString: strerror(code)))") }
            throw UsageError("\(path) is being written by another run: \(holder ?? "another process") holds its lock. "
                             + "Two runs writing one file would label its images twice; wait for that one to end "
                             + "(then --resume), or give this one another --output file")
        }
        var locked = stat()
        guard fstat(descriptor, &locked) == 0, stat(path, &status) == 0,
              locked.st_dev == status.st_dev, locked.st_ino == status.st_ino, FileKind(locked) == .regularFile
        else {
            close(descriptor)
            return nil
        }
        return OutputFile(path: path, descriptor: descriptor, kind: .regularFile, created: created)
    }

    private static func openError(_ path: String, _ code: Int32) -> UsageError {
        UsageError("cannot open \(path) for writing: \(String(cString: strerror(code)))")
    }

    /// The file's size in bytes.
    func size() throws(SystemError) -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SystemError.current }
        return Int(status.st_size)
    }

    /// Makes the file ready for this run's records and returns where to write them: emptied, or —
    /// when resuming — cut back to the end of its last complete record, without the duplicates
    /// `state` found.
    func start(resuming state: ResumeState?) throws(UsageError) -> OutputSink {
        created = false
        guard kind == .regularFile else { return OutputSink(descriptor: descriptor, name: path) }
        if let state, !state.droppedRanges.isEmpty {
            try rewrite(keeping: state.keptRanges)
        } else {
            guard ftruncate(descriptor, off_t(state?.keptLength ?? 0)) == 0 else {
                let reason = String(cString: strerror(errno))
                throw UsageError(state == nil ? "cannot empty \(path): \(reason)"
                                              : "cannot cut \(path) back to its last complete record: \(reason)")
            }
        }
        // O_APPEND after the cut: every write lands at the end, as the cut-back after a failed
        // write assumes.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_APPEND)
        return OutputSink(descriptor: descriptor, name: path, cutsBackOnFailure: true)
    }

    /// Removes the file if this run created it and never started writing it, and closes it.
    func abandon() {
        if created { unlink(path) }
        created = false
        close(descriptor)
    }

    /// Replaces the file with its `ranges`, atomically: a new file beside it, locked, filled,
    /// synced, then renamed over it, so a kill at any moment leaves either the old file or the new
    /// one. Its mode and owner are the old file's; a symbolic link stays a link (its target is
    /// replaced); other hard links keep the old content.
    private func rewrite(keeping ranges: [Range<Int>]) throws(UsageError) {
        guard let resolved = realpath(path, nil) else {
            throw UsageError("cannot drop duplicates from \(path): \(String(cString: strerror(errno)))")
        }
        let target = String(cString: resolved)
        free(resolved)
        let replacement = try ReplacementFile(beside: target, for: path)
        do throws(SystemError) {
            let mapping = try FileMapping(descriptor: descriptor, length: ranges.last?.upperBound ?? 0)
            for range in ranges {
                let (_, failure) = OutputSink.writeAll(replacement.descriptor,
                                                       UnsafeRawBufferPointer(rebasing: mapping.bytes[range]))
                if let failure { throw failure }
            }
            try replacement.take(ownershipFrom: descriptor)
            try replacement.commit(to: target)
        } catch {
            replacement.discard()
            throw UsageError("cannot drop duplicates from \(path): \(error.message)")
        }
        close(descriptor)
        descriptor = replacement.descriptor
    }
}

/// The type of file a path names, for messages.
enum FileKind: Equatable {
    case regularFile, directory, characterDevice, blockDevice, fifo, socket, symbolicLink

    init?(_ status: stat) {
        switch status.st_mode & S_IFMT {
        case S_IFREG: self = .regularFile
        case S_IFDIR: self = .directory
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFLNK: self = .symbolicLink
        default: return nil
        }
    }

    var description: String {
        switch self {
        case .regularFile: "a regular file"
        case .directory: "a directory"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .fifo: "a FIFO (named pipe)"
        case .socket: "a socket"
        case .symbolicLink: "a symbolic link"
        }
    }
}
