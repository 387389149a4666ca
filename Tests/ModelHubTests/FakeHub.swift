import Foundation
@testable import ModelHub
import Checkpoints
import TestSupport

/// A Hugging Face Hub stand-in for one repository at one commit, on two local servers: the "Hub"
/// (HEAD/GET `/{repo}/resolve/{revision}/{file}` with the Hub's headers and error codes) and a
/// "CDN" on another port (another origin) to which safetensors files redirect, as the real Hub
/// redirects LFS/Xet files. The CDN redirects once more (to a signed URL) before serving.
final class FakeHub: Sendable {
    struct Options: Sendable {
        /// When set, the Hub refuses requests without `Authorization: Bearer <token>` (gated repo).
        var requiredToken: String?
        /// The CDN cuts large-file bodies after this many bytes.
        var dropLargeFilesAfter: Int?
        /// The CDN stalls large-file bodies after this many bytes.
        var stallLargeFilesAfter: Int?
        /// Replaces the ETag the Hub announces (for hostile-server tests).
        var etagOverride: String?
    }

    let repository: String
    let commit: String
    let files: [String: [UInt8]]
    let hub: TestHTTPServer
    let cdn: TestHTTPServer

    init(repository: String = "swiftvit/tiny-vit", commit: String = String(repeating: "ab12", count: 10),
         files: [String: [UInt8]], options: Options = Options()) throws {
        self.repository = repository
        self.commit = commit
        self.files = files
        let etags = files.mapValues { Self.fakeHash($0) }
        cdn = try TestHTTPServer { request in
            let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
            if path.hasPrefix("/cas/") {
                return .status(302, [("Location", "/signed/\(path.dropFirst(5))?expires=1&signature=abc")])
            }
            guard path.hasPrefix("/signed/"), let body = files.first(where: { etags[$0.key] == String(path.dropFirst(8)) })?.value
            else { return .status(404) }
            return TestHTTPServer.Response(status: 200, body: body, dropAfter: options.dropLargeFilesAfter,
                                           stallAfter: options.stallLargeFilesAfter)
        }
        let cdnURL = cdn.url
        hub = try TestHTTPServer { request in
            let prefix = "/\(repository)/resolve/"
            guard request.path.hasPrefix(prefix) else {
                return .status(401, [("X-Error-Code", "RepoNotFound"), ("X-Error-Message", "Repository not found")])
            }
            if let token = options.requiredToken, request.headers["authorization"] != "Bearer \(token)" {
                return .status(403, [("X-Error-Code", "GatedRepo")])
            }
            let rest = request.path.dropFirst(prefix.count)
            guard let slash = rest.firstIndex(of: "/") else { return .status(404) }
            let revision = String(rest[..<slash]).removingPercentEncoding ?? ""
            let file = String(rest[rest.index(after: slash)...]).removingPercentEncoding ?? ""
            guard revision == "main" || revision == commit else {
                return .status(404, [("X-Error-Code", "RevisionNotFound")])
            }
            guard let body = files[file], let etag = options.etagOverride ?? etags[file] else {
                return .status(404, [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", commit)])
            }
            if file.hasSuffix(".safetensors") {
                return .status(302, [
                    ("Location", "\(cdnURL.absoluteString)/cas/\(etag)"),
                    ("X-Repo-Commit", commit),
                    ("X-Linked-Etag", "\"\(etag)\""),
                    ("X-Linked-Size", String(body.count)),
                    ("ETag", "\"pointer-file-etag-not-the-blob\""),
                ])
            }
            // A weak ETag on one file checks the normalisation.
            let etagHeader = file == "preprocessor_config.json" ? "W/\"\(etag)\"" : "\"\(etag)\""
            return TestHTTPServer.Response(status: 200, headers: [("ETag", etagHeader), ("X-Repo-Commit", commit)], body: body)
        }
    }

    deinit {
        hub.stop()
        cdn.stop()
    }

    /// The files of a fixture directory, by name.
    static func files(of directory: URL) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            files[name] = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
        }
        return files
    }

    /// The ETag the Hub announces for `file`.
    func etag(of file: String) -> String { Self.fakeHash(files[file]!) }

    /// Environment variables pointing a ModelRepository at this Hub and `cache`.
    func environment(cache: URL, token: String? = nil, offline: Bool = false) -> [String: String] {
        var environment = ["HF_HUB_CACHE": cache.path, "HF_ENDPOINT": hub.url.absoluteString,
                           "HF_HUB_ETAG_TIMEOUT": "5", "HF_HUB_DOWNLOAD_TIMEOUT": "5", "HOME": cache.path]
        if let token { environment["HF_TOKEN"] = token }
        if offline { environment["HF_HUB_OFFLINE"] = "1" }
        return environment
    }

    /// A stand-in for a content hash: 64 hex digits, different for different contents.
    static func fakeHash(_ bytes: [UInt8]) -> String {
        var digest = ""
        for seed: UInt64 in [0xcbf2_9ce4_8422_2325, 0x1000_0000_01b3, 0x9e37_79b9_7f4a_7c15, 0x2545_f491_4f6c_dd1d] {
            var hash = seed ^ UInt64(bytes.count)
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            digest += String(hash, radix: 16).leftPadded(to: 16)
        }
        return digest
    }
}

private extension String {
    func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}

/// Collects values from concurrent callbacks.
final class Collector<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Value] = []

    func append(_ value: Value) {
        lock.lock()
        storage.append(value)
        lock.unlock()
    }

    var values: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
