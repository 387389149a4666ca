import Foundation

/// A new file created beside another to replace it atomically (`rename(2)`), locked from the
/// start so that the lock passes to the new file without a moment in which the name is unlocked.
struct ReplacementFile {
    let path: String
    let descriptor: Int32

    /// Creates `.NAME.vit-classify-XXXXXX` in the folder of `target`.
    /// - Parameter name: the path the user gave, for messages.
    init(beside target: String, for name: String) throws(UsageError) {
        let folder = (target as NSString).deletingLastPathComponent
        var template = Array("\(folder)/.\((target as NSString).lastPathComponent).vit-classify-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw UsageError("cannot drop duplicates from \(name): cannot create a file in \(folder): "
                             + String(cString: strerror(errno)))
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        self.descriptor = descriptor
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // Nobody else knows the file yet, so this cannot block.
        _ = flock(descriptor, LOCK_EX)
    }

    /// Gives the new file the old one's permissions and (where allowed) owner.
    func take(ownershipFrom old: Int32) throws(SystemError) {
        var status = stat()
        guard fstat(old, &status) == 0, fchmod(descriptor, status.st_mode & 0o7777) == 0 else {
            throw SystemError.current
        }
        _ = fchown(descriptor, status.st_uid, status.st_gid)
    }

    /// Syncs the new file and renames it to `target`, then syncs the folder so the rename lasts.
    func commit(to target: String) throws(SystemError) {
        guard fsync(descriptor) == 0, rename(path, target) == 0 else { throw SystemError.current }
        let folder = open((target as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    /// Removes the new file after a failure.
    func discard() {
        unlink(path)
        close(descriptor)
    }
}
