import Foundation

/// Who holds the `flock(2)` lock on an open file.
///
/// Read back from the kernel's own lock table, `/proc/locks`, which lists every lock with the
/// process that took it and the file's device and inode (`1: FLOCK  ADVISORY  WRITE 1234
/// fe:00:16221069 0 EOF`). Nothing is written anywhere for this: no sidecar file that a killed
/// run could leave behind or that could name a process long gone, and it names any holder,
/// including a script's `flock(1)`. Where there is no `/proc/locks` (not Linux, or /proc not
/// mounted) the holder is simply not named.
enum FileLockHolder {
    /// `process 1234 (vit-classify)` for the holder of a `flock` lock on the file open as
    /// `descriptor`, or `nil` if it cannot be told.
    static func describe(lockOn descriptor: Int32) -> String? {
        var status = stat()
        guard fstat(descriptor, &status) == 0,
              let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8),
              let pid = processID(holdingLockOnDevice: UInt64(status.st_dev), inode: UInt64(status.st_ino),
                                  in: table)
        else { return nil }
        let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return "process \(pid)" + (command.map { $0.isEmpty ? "" : " (\($0))" } ?? "")
    }

    /// The process holding a `FLOCK` lock on the given file in a `/proc/locks` table.
    ///
    /// The table names a file as `MAJOR:MINOR:INODE` (major and minor in hex). Where no line has
    /// the file's device too — overlayfs reports its own device to `stat` but locks the inode
    /// below — a single line with the inode number is taken as the file's.
    static func processID(holdingLockOnDevice device: UInt64, inode: UInt64, in table: String) -> Int32? {
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
        let minor = (device & 0xff) | ((device >> 12) & ~0xff)
        var sameInode: [Int32] = []
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE START END"; waiters are marked "N: ->".
            guard fields.count >= 6, fields[1] == "FLOCK", let pid = Int32(fields[4]) else { continue }
            let file = fields[5].split(separator: ":")
            guard file.count == 3, let lineInode = UInt64(file[2]), lineInode == inode else { continue }
            if UInt64(file[0], radix: 16) == major && UInt64(file[1], radix: 16) == minor { return pid }
            sameInode.append(pid)
        }
        return sameInode.count == 1 ? sameInode[0] : nil
    }
}
