import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What the Hub says about one file at a revision (from a `HEAD /{repo}/resolve/{revision}/{file}`).
public struct HubFileMetadata: Sendable, Equatable {
    /// The commit the revision resolved to (`X-Repo-Commit`).
    public let commit: String
    /// The blob's ETag without quotes or `W/` (`X-Linked-Etag`, else `ETag`): the git SHA-1 of a
    /// small file, the SHA-256 of an LFS file. It names the blob in the cache.
    public let etag: String
    /// The file's size (`X-Linked-Size`, else `Content-Length` of a non-redirect answer).
    public let size: Int64?
    /// Where to GET the content: the CDN location of a redirect, or the resolve URL itself.
    public let location: URL
}

/// A file made available in the cache by ``HubDownloader/fetch(_:from:revision:into:progress:)``.
public struct CachedHubFile: Sendable, Equatable {
    /// The file's path in the snapshot directory (a symlink to its blob).
    public let url: URL
    /// The commit the revision resolved to.
    public let commit: String
    /// Whether the content was downloaded now (rather than found as a blob or snapshot file).
    public let wasDownloaded: Bool
}

/// The answer to a metadata request: the file, or its absence at a commit.
public enum HubFileLookup: Sendable, Equatable {
    /// The file exists.
    case found(HubFileMetadata)
    /// The file does not exist at the revision; `commit` is what the revision resolved to, when
    /// the Hub said (`X-Repo-Commit` on the 404).
    case missing(commit: String?)
}

/// Downloads files from a Hugging Face Hub endpoint into a ``HuggingFaceCache``, speaking the
/// protocol `huggingface_hub`'s `hf_hub_download` speaks.
///
/// For each file: a `HEAD` on `{endpoint}/{repo}/resolve/{revision}/{file}` gives the commit, the
/// ETag and the size, without following a redirect off the Hub (the metadata is on the 302); then
/// a `GET` of the location, following redirects, streams into `blobs/<etag>.<random>.incomplete`,
/// which is renamed to `blobs/<etag>` only when complete and of the announced size; finally the
/// snapshot symlink and `refs/<revision>` are written. `Authorization: Bearer <token>` goes to the
/// Hub's origin only, never to a CDN it redirects to.
public struct HubDownloader: Sendable {
    /// The Hub, e.g. `https://huggingface.co` (`$HF_ENDPOINT`).
    public var endpoint: URL
    /// The access token (`$HF_TOKEN`), sent as a bearer token to the endpoint only.
    public var token: String?
    /// Seconds to wait for a metadata answer (huggingface_hub's `HF_HUB_ETAG_TIMEOUT` default).
    public var metadataTimeout: TimeInterval = 10
    /// Seconds without any data before a download fails.
    public var downloadTimeout: TimeInterval = 60
    /// The `User-Agent` header.
    public var userAgent = "SwiftViT/0.1 (huggingface_hub-compatible)"

    /// The public Hub.
    public static let defaultEndpoint = URL(string: "https://huggingface.co")!

    /// A downloader for `endpoint`, authenticating with `token` if given.
    public init(endpoint: URL = HubDownloader.defaultEndpoint, token: String? = nil) {
        self.endpoint = endpoint
        self.token = token
    }

    /// `{endpoint}/{repo}/resolve/{revision}/{file}`, with the revision percent-encoded whole (so
    /// `refs/pr/1` stays one path segment) and the file name encoded per segment.
    public func resolveURL(for file: String, in repository: RepositoryID, revision: String) -> URL {
        let base = endpoint.absoluteString.hasSuffix("/") ? String(endpoint.absoluteString.dropLast()) : endpoint.absoluteString
        let encodedRevision = Self.percentEncode(revision, keepingSlashes: false)
        let encodedFile = Self.percentEncode(file, keepingSlashes: true)
        return URL(string: "\(base)/\(repository.rawValue)/resolve/\(encodedRevision)/\(encodedFile)")!
    }

    // MARK: - Metadata

    /// Asks the Hub about `file` at `revision` (a `HEAD` request).
    ///
    /// - Throws: ``ModelRepositoryError`` for refused access, a missing repository or revision,
    ///   other HTTP errors, a non-Hub answer or a network failure; `CancellationError` if cancelled.
    public func metadata(for file: String, in repository: RepositoryID, revision: String) async throws -> HubFileLookup {
        let url = resolveURL(for: file, in: repository, revision: revision)
        var request = URLRequest(url: url)
        request.httpMethod = "HEAD"
        applyHeaders(to: &request, authorized: true)
        let endpointOrigin = Origin(endpoint)
        let transfer = HTTPTransfer(request: request, timeout: metadataTimeout, redirectPolicy: { from, to in
            // Follow redirects that stay on the Hub (a renamed repository); stop at one that
            // leaves it (a CDN): its 302 carries the metadata.
            let target = Origin(to)
            return target == Origin(from) || target == endpointOrigin
                ? .follow(keepsAuthorization: target == endpointOrigin) : .stop
        })
        let result = try await perform(transfer, url: url)
        let response = result.response
        let status = response.statusCode
        let commit = response.value(forHTTPHeaderField: "X-Repo-Commit")
        if !(200..<400).contains(status) {
            let errorCode = response.value(forHTTPHeaderField: "X-Error-Code")
            switch (status, errorCode) {
            case (_, "RepoNotFound"):
                throw ModelRepositoryError.repositoryNotFound(repository: repository.rawValue, status: status)
            case (_, "RevisionNotFound"):
                throw ModelRepositoryError.revisionNotFound(repository: repository.rawValue, revision: revision)
            case (_, "GatedRepo"), (401, _), (403, _):
                throw ModelRepositoryError.unauthorized(repository: repository.rawValue, status: status, tokenSent: token != nil)
            case (404, _):
                return .missing(commit: commit.flatMap { Revision.isCommitHash($0) ? $0 : nil })
            default:
                throw ModelRepositoryError.httpStatus(url: url.absoluteString, status: status,
                                                      message: response.value(forHTTPHeaderField: "X-Error-Message") ?? "")
            }
        }
        guard let commit else {
            throw ModelRepositoryError.notAHubEndpoint(url: url.absoluteString, reason: "no X-Repo-Commit header")
        }
        guard Revision.isCommitHash(commit) else {
            throw ModelRepositoryError.notAHubEndpoint(url: url.absoluteString, reason: "X-Repo-Commit \"\(commit)\" is not a commit hash")
        }
        guard let rawETag = response.value(forHTTPHeaderField: "X-Linked-Etag") ?? response.value(forHTTPHeaderField: "ETag") else {
            throw ModelRepositoryError.notAHubEndpoint(url: url.absoluteString, reason: "no ETag header")
        }
        let etag = Self.normalizeETag(rawETag)
        guard Self.isSafeBlobName(etag) else {
            throw ModelRepositoryError.notAHubEndpoint(url: url.absoluteString, reason: "ETag \"\(rawETag)\" cannot name a blob")
        }
        let isRedirect = (300..<400).contains(status)
        let sizeHeader = response.value(forHTTPHeaderField: "X-Linked-Size")
            ?? (isRedirect ? nil : response.value(forHTTPHeaderField: "Content-Length"))
        var location = response.url ?? url
        if isRedirect, let header = response.value(forHTTPHeaderField: "Location") {
            guard let target = URL(string: header, relativeTo: location)?.absoluteURL else {
                throw ModelRepositoryError.notAHubEndpoint(url: url.absoluteString, reason: "bad Location \"\(header)\"")
            }
            location = target
        }
        return .found(HubFileMetadata(commit: commit, etag: etag, size: sizeHeader.flatMap { Int64($0) }, location: location))
    }

    // MARK: - Download into the cache

    /// Makes `file` of `repository` at `revision` available in `cache`, downloading it if needed,
    /// and returns where it is; `nil` if the file does not exist at that revision (which is
    /// then recorded under `.no_exist`, as `huggingface_hub` does).
    ///
    /// - Parameters:
    ///   - progress: Receives byte counts while the file's content downloads.
    /// - Throws: ``ModelRepositoryError``, or `CancellationError` if the task is cancelled (no
    ///   partial file is left in the cache either way).
    public func fetch(_ file: String, from repository: RepositoryID, revision: String, into cache: HuggingFaceCache,
                      progress: DownloadProgressHandler? = nil) async throws -> CachedHubFile? {
        // A commit hash pins the content, so a cached copy needs no request at all.
        if Revision.isCommitHash(revision), let cached = cache.cachedFile(file, in: repository, commit: revision) {
            return CachedHubFile(url: cached, commit: revision, wasDownloaded: false)
        }
        switch try await metadata(for: file, in: repository, revision: revision) {
        case .missing(let commit):
            if let commit {
                try writingCache(cache.root) {
                    try cache.markMissing(file, in: repository, commit: commit)
                    try cache.recordRevision(revision, commit: commit, in: repository)
                }
            }
            return nil
        case .found(let metadata):
            try writingCache(cache.root) {
                try cache.tagCacheDirectory()
                try cache.recordRevision(revision, commit: metadata.commit, in: repository)
            }
            if let cached = cache.cachedFile(file, in: repository, commit: metadata.commit) {
                return CachedHubFile(url: cached, commit: metadata.commit, wasDownloaded: false)
            }
            let blob = cache.blobURL(repository, etag: metadata.etag)
            let needsDownload = !FileManager.default.fileExists(atPath: blob.path)
            if needsDownload {
                try await download(metadata, file: file, to: blob, progress: progress)
            }
            try writingCache(cache.root) {
                try cache.linkSnapshotFile(file, in: repository, commit: metadata.commit, etag: metadata.etag)
            }
            return CachedHubFile(url: cache.snapshotDirectory(repository, commit: metadata.commit).appendingPathComponent(file),
                                 commit: metadata.commit, wasDownloaded: needsDownload)
        }
    }

    /// Streams the content at `metadata.location` into `blob`, through a uniquely named
    /// `.incomplete` file that is renamed only once the whole body (of the announced size) is in.
    func download(_ metadata: HubFileMetadata, file: String, to blob: URL,
                  progress: DownloadProgressHandler?) async throws {
        let directory = blob.deletingLastPathComponent()
        let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        let incomplete = directory.appendingPathComponent("\(blob.lastPathComponent).\(suffix).incomplete")
        let fileManager = FileManager.default
        let handle: FileHandle
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
            guard fileManager.createFile(atPath: incomplete.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown)
            }
            handle = try FileHandle(forWritingTo: incomplete)
        } catch {
            throw ModelRepositoryError.cacheWriteFailed(path: incomplete.path, reason: error.localizedDescription)
        }
        // Whatever happens below, no partial file stays in the cache.
        defer {
            try? handle.close()
            try? fileManager.removeItem(at: incomplete)
        }

        var request = URLRequest(url: metadata.location)
        request.httpMethod = "GET"
        let endpointOrigin = Origin(endpoint)
        applyHeaders(to: &request, authorized: Origin(metadata.location) == endpointOrigin)
        let totalBytes = metadata.size
        var byteProgress: (@Sendable (Int64, Int64?) -> Void)?
        if let progress {
            byteProgress = { done, expected in
                progress(DownloadProgress(file: file, completedBytes: done, totalBytes: totalBytes ?? expected))
            }
        }
        let redirectPolicy: @Sendable (URL, URL) -> HTTPTransfer.RedirectDecision = { _, to in
            .follow(keepsAuthorization: Origin(to) == endpointOrigin)
        }
        let transfer = HTTPTransfer(request: request, timeout: downloadTimeout, redirectPolicy: redirectPolicy,
                                    sink: handle, progress: byteProgress)
        let result = try await perform(transfer, url: metadata.location)
        let status = result.response.statusCode
        guard status == 200 else {
            throw ModelRepositoryError.httpStatus(url: (result.response.url ?? metadata.location).absoluteString, status: status,
                                                  message: String(decoding: result.body.prefix(200), as: UTF8.self))
        }
        let expected = totalBytes ?? (result.response.expectedContentLength >= 0 ? result.response.expectedContentLength : nil)
        if let expected, expected != result.bytesWritten {
            throw ModelRepositoryError.incompleteDownload(file: file, expectedBytes: expected, receivedBytes: result.bytesWritten)
        }
        do {
            try handle.synchronize()
            try handle.close()
            // rename(2) is atomic and replaces a blob another process may have finished first
            // (same ETag, so same content).
            guard rename(incomplete.path, blob.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            throw ModelRepositoryError.cacheWriteFailed(path: blob.path, reason: error.localizedDescription)
        }
    }

    // MARK: - Helpers

    private func applyHeaders(to request: inout URLRequest, authorized: Bool) {
        // The real size of a file is only known without content encoding.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        if authorized, let token, !token.isEmpty {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
    }

    /// Runs a transfer, turning transport failures into ``ModelRepositoryError/network(url:reason:)``.
    private func perform(_ transfer: HTTPTransfer, url: URL) async throws -> HTTPTransfer.Result {
        do {
            return try await transfer.run()
        } catch let error as CancellationError {
            throw error
        } catch let error as ModelRepositoryError {
            throw error
        } catch let error as URLError where error.code == .cancelled {
            throw CancellationError()
        } catch {
            throw ModelRepositoryError.network(url: url.absoluteString, reason: error.localizedDescription)
        }
    }

    private func writingCache(_ path: URL, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            throw ModelRepositoryError.cacheWriteFailed(path: path.path, reason: error.localizedDescription)
        }
    }

    /// `W/"abc"` → `abc`, `"abc"` → `abc` (huggingface_hub's `_normalize_etag`).
    static func normalizeETag(_ etag: String) -> String {
        var value = Substring(etag)
        if value.hasPrefix("W/") { value = value.dropFirst(2) }
        return String(value).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// Whether an ETag can be a file name in `blobs/`: a server must not be able to make us write
    /// outside the cache.
    static func isSafeBlobName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.utf8.count <= 255
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    private static func percentEncode(_ string: String, keepingSlashes: Bool) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        if keepingSlashes { allowed.insert("/") }
        return string.addingPercentEncoding(withAllowedCharacters: allowed) ?? string
    }
}

/// The origin of a URL (scheme, host, port), which decides where credentials may go.
struct Origin: Equatable {
    let scheme: String
    let host: String
    let port: Int

    init(_ url: URL) {
        scheme = url.scheme?.lowercased() ?? ""
        host = url.host?.lowercased() ?? ""
        port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : 0)
    }
}
