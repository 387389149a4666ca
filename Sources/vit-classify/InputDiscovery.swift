import Foundation

/// Turns the command line's paths into the ordered list of files to label.
///
/// - A **file** argument (or anything that is not a folder, including a path that does not
///   exist) is always an input: if it cannot be read or is not an image, it gets an error line.
/// - A **folder** argument is walked recursively, following symbolic links; each folder is
///   entered once (by device and inode), so symlink loops end. Names starting with `.` (hidden
///   files, `.git`, `.thumbnails`) are not looked at. Files are kept or skipped by
///   ``ImageFileKind``; devices, pipes and sockets are skipped without being opened.
/// - The files of one folder argument are sorted by their relative path's UTF-8 bytes (the
///   order of `LC_ALL=C sort`), so every run and every machine sees the same order; arguments
///   keep their command-line order.
/// - A file reached twice (named twice, inside two folder arguments, or hard- or sym-linked) is
///   labelled once, under the first path that reached it.
struct InputDiscovery {
    /// What the walk found.
    struct Result {
        /// The files to label, in output order.
        var inputs: [InputFile] = []
        /// Files seen in folders and not labelled.
        var skipped: [SkippedFile] = []
        /// Folders that could not be listed (one message each).
        var unreadableFolders: [String] = []
    }

    private struct FileIdentity: Hashable {
        let device: UInt64
        let inode: UInt64
        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }
    }

    private var result = Result()
    private var seenFiles: Set<FileIdentity> = []
    private var seenPaths: Set<String> = []
    private var seenFolders: Set<FileIdentity> = []

    /// Walks `arguments` in order.
    static func discover(_ arguments: [String]) -> Result {
        var discovery = InputDiscovery()
        for argument in arguments {
            if let status = Self.status(argument), Self.isDirectory(status) {
                discovery.walk(folder: argument, identity: FileIdentity(status))
            } else {
                discovery.add(InputFile(path: argument, shardKey: argument), status: Self.status(argument))
            }
        }
        return discovery.result
    }

    private mutating func add(_ input: InputFile, status: stat?) {
        if let status {
            guard seenFiles.insert(FileIdentity(status)).inserted else { return }
        } else {
            guard seenPaths.insert(input.path).inserted else { return }
        }
        result.inputs.append(input)
    }

    private mutating func walk(folder root: String, identity: FileIdentity) {
        seenFolders.insert(identity)
        var found: [(relative: String, status: stat?)] = []
        var pending: [String] = [""]   // relative paths of folders still to list
        while let relative = pending.popLast() {
            let folder = Self.join(root, relative)
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: folder)
            } catch {
                result.unreadableFolders.append("cannot read folder \(folder): \(Self.reason(error))")
                continue
            }
            for name in names where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : relative + "/" + name
                let path = Self.join(root, child)
                guard let status = Self.status(path) else {
                    // A dangling symbolic link, or a file removed meanwhile: an error line if it
                    // claims to be an image, otherwise nothing to label.
                    if ImageFileKind.hasImageExtension(name) {
                        found.append((child, nil))
                    } else {
                        result.skipped.append(SkippedFile(path: path, reason: "cannot be read (dangling link?)"))
                    }
                    continue
                }
                if Self.isDirectory(status) {
                    if seenFolders.insert(FileIdentity(status)).inserted { pending.append(child) }
                } else if !Self.isRegularFile(status) {
                    result.skipped.append(SkippedFile(path: path, reason: "not a regular file"))
                } else if ImageFileKind.hasImageExtension(name) || ImageFileKind.startsWithImageSignature(path) {
                    found.append((child, status))
                } else {
                    result.skipped.append(SkippedFile(path: path, reason: "not a JPEG or PNG file"))
                }
            }
        }
        found.sort { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
        for file in found {
            add(InputFile(path: Self.join(root, file.relative), shardKey: file.relative), status: file.status)
        }
    }

    /// `root` and a relative path joined with exactly one `/`.
    static func join(_ root: String, _ relative: String) -> String {
        if relative.isEmpty { return root }
        return root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    /// `stat(2)` of `path`, following symbolic links, or `nil` if it fails.
    private static func status(_ path: String) -> stat? {
        var status = stat()
        return stat(path, &status) == 0 ? status : nil
    }

    private static func isDirectory(_ status: stat) -> Bool { status.st_mode & S_IFMT == S_IFDIR }
    private static func isRegularFile(_ status: stat) -> Bool { status.st_mode & S_IFMT == S_IFREG }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }
}
