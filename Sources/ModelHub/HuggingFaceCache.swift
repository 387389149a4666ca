import Foundation

/// The Hugging Face Hub cache directory, laid out exactly as `huggingface_hub` lays it out, so
/// that a model Python downloaded is reused here and one downloaded here is reused by Python:
///
/// ```
/// <root>/models--google--vit-base-patch16-224/
///     refs/main                       the commit hash "main" resolved to (no newline)
///     blobs/<etag>                    file contents, named by ETag (git SHA-1, or SHA-256 for LFS)
///     snapshots/<commit>/config.json  -> ../../blobs/<etag>   (relative symlinks)
///     .no_exist/<commit>/<file>       empty marker: the file does not exist at that commit
/// ```
public struct HuggingFaceCache: Sendable, Equatable {
    /// The content `huggingface_hub` writes to `CACHEDIR.TAG`, which tells backup tools to skip
    /// the cache (https://bford.info/cachedir/).
    static let cacheDirectoryTag = """
        Signature: 8a477f597d28d172789f06886806bc55
        # This file is a cache directory tag created by huggingface_hub.
        # For information about cache directory tags, see:
        #\thttps://bford.info/cachedir/

        """

    /// The cache's root directory (the `hub` folder).
    public let root: URL

    /// A cache rooted at `root`.
    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// The cache `huggingface_hub` uses for this environment: `$HF_HUB_CACHE`, else the legacy
    /// `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
    /// else `~/.cache/huggingface/hub`. A leading `~` is expanded, as Python's `expanduser` does.
    public init(environment: [String: String]) {
        func nonEmpty(_ key: String) -> String? {
            guard let value = environment[key], !value.isEmpty else { return nil }
            return value
        }
        let home = nonEmpty("HOME") ?? NSHomeDirectory()
        func expand(_ path: String) -> String {
            if path == "~" { return home }
            if path.hasPrefix("~/") { return home + path.dropFirst(1) }
            return path
        }
        let path: String
        if let hubCache = nonEmpty("HF_HUB_CACHE") ?? nonEmpty("HUGGINGFACE_HUB_CACHE") {
            path = expand(hubCache)
        } else {
            let hfHome = nonEmpty("HF_HOME").map(expand)
                ?? ((nonEmpty("XDG_CACHE_HOME").map(expand) ?? home + "/.cache") + "/huggingface")
            path = hfHome + "/hub"
        }
        self.init(root: URL(fileURLWithPath: path, isDirectory: true))
    }

    // MARK: - Layout

    /// `<root>/models--namespace--name`.
    public func repositoryDirectory(_ repository: RepositoryID) -> URL {
        root.appendingPathComponent(repository.cacheFolderName, isDirectory: true)
    }

    /// `…/snapshots/<commit>`.
    public func snapshotDirectory(_ repository: RepositoryID, commit: String) -> URL {
        repositoryDirectory(repository).appendingPathComponent("snapshots", isDirectory: true)
            .appendingPathComponent(commit, isDirectory: true)
    }

    /// `…/blobs/<etag>`.
    public func blobURL(_ repository: RepositoryID, etag: String) -> URL {
        repositoryDirectory(repository).appendingPathComponent("blobs", isDirectory: true).appendingPathComponent(etag)
    }

    /// `…/refs/<revision>`.
    func refURL(_ repository: RepositoryID, revision: String) -> URL {
        repositoryDirectory(repository).appendingPathComponent("refs", isDirectory: true).appendingPathComponent(revision)
    }

    /// `…/.no_exist/<commit>/<file>`.
    func missingMarkerURL(_ repository: RepositoryID, commit: String, file: String) -> URL {
        repositoryDirectory(repository).appendingPathComponent(".no_exist", isDirectory: true)
            .appendingPathComponent(commit, isDirectory: true).appendingPathComponent(file)
    }

    // MARK: - Reading

    /// The commit a revision resolves to in the cache: the revision itself if it is a commit
    /// hash, else the content of `refs/<revision>`. `nil` if the cache knows nothing of it.
    public func commit(forRevision revision: String, in repository: RepositoryID) -> String? {
        if Revision.isCommitHash(revision) { return revision }
        guard Revision.isValid(revision),
              let data = FileManager.default.contents(atPath: refURL(repository, revision: revision).path),
              let text = String(data: data, encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return Revision.isCommitHash(commit) ? commit : nil
    }

    /// The cached file `file` of `commit`, if present (a symlink whose blob exists, or a plain
    /// file as `huggingface_hub` writes where symlinks are unsupported).
    public func cachedFile(_ file: String, in repository: RepositoryID, commit: String) -> URL? {
        let url = snapshotDirectory(repository, commit: commit).appendingPathComponent(file)
        // fileExists follows symlinks, so a dangling snapshot link counts as absent.
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Whether the cache records that `file` does not exist at `commit` (`.no_exist` marker).
    public func isMarkedMissing(_ file: String, in repository: RepositoryID, commit: String) -> Bool {
        FileManager.default.fileExists(atPath: missingMarkerURL(repository, commit: commit, file: file).path)
    }

    // MARK: - Writing

    /// Records that `revision` resolves to `commit` (`refs/<revision>`), replacing the file
    /// atomically so concurrent readers never see a partial hash. Nothing is written for a
    /// revision that is itself the commit hash.
    func recordRevision(_ revision: String, commit: String, in repository: RepositoryID) throws {
        guard revision != commit else { return }
        let url = refURL(repository, revision: revision)
        if self.commit(forRevision: revision, in: repository) == commit { return }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: url, options: .atomic)
    }

    /// Points `snapshots/<commit>/<file>` at `blobs/<etag>` with a relative symlink, as
    /// `huggingface_hub` does (relative, so the cache can be moved).
    func linkSnapshotFile(_ file: String, in repository: RepositoryID, commit: String, etag: String) throws {
        let link = snapshotDirectory(repository, commit: commit).appendingPathComponent(file)
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        // From snapshots/<commit>/<dirs…>/<name> up to the repository folder, then into blobs.
        // Counted on bytes, as the file system counts them (see ShardIndex.isSafeRelativePath).
        let depth = 2 + file.utf8.split(separator: UInt8(ascii: "/")).count - 1
        let target = String(repeating: "../", count: depth) + "blobs/" + etag
        if (try? fileManager.destinationOfSymbolicLink(atPath: link.path)) == target { return }
        try? fileManager.removeItem(at: link)
        try fileManager.createSymbolicLink(atPath: link.path, withDestinationPath: target)
    }

    /// Records that `file` does not exist at `commit`, so later lookups skip it (as
    /// `huggingface_hub` does after a 404).
    func markMissing(_ file: String, in repository: RepositoryID, commit: String) throws {
        let url = missingMarkerURL(repository, commit: commit, file: file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: url.path) {
            try Data().write(to: url)
        }
    }

    /// Creates `CACHEDIR.TAG` in the root if missing, as `huggingface_hub` 2.x does.
    func tagCacheDirectory() throws {
        let tag = root.appendingPathComponent("CACHEDIR.TAG")
        guard !FileManager.default.fileExists(atPath: tag.path) else { return }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data(Self.cacheDirectoryTag.utf8).write(to: tag, options: .atomic)
    }
}
