import Foundation

/// Why a model could not be located, read from the Hugging Face cache, or downloaded.
public enum ModelRepositoryError: Error, Sendable, Equatable {
    /// The string is neither an existing directory nor a valid Hub repository id.
    case invalidIdentifier(String)
    /// The revision cannot name a branch, tag or commit (empty parts, `..`).
    case invalidRevision(String)
    /// A local path was given that does not exist or is not a directory.
    case directoryNotFound(path: String)
    /// A required file (`config.json`, `preprocessor_config.json`, a shard) is missing.
    case missingFile(location: String, file: String)
    /// Only pickled PyTorch weights exist; SwiftViT never unpickles.
    case pickleWeightsOnly(location: String, file: String)
    /// No weights at all: neither `model.safetensors` nor a sharded index.
    case noWeights(location: String)
    /// The `model.safetensors.index.json` is malformed.
    case invalidShardIndex(file: String, reason: String)
    /// Offline mode (`HF_HUB_OFFLINE=1`) is on and the model is not (completely) in the cache.
    case notCached(repository: String, revision: String, cache: String, file: String)
    /// The Hub has no such repository (or it is private and no valid token was sent).
    case repositoryNotFound(repository: String, status: Int)
    /// The Hub has the repository but not this branch, tag or commit.
    case revisionNotFound(repository: String, revision: String)
    /// Access was refused (gated or private repository; `HF_TOKEN` missing or lacking access).
    case unauthorized(repository: String, status: Int, tokenSent: Bool)
    /// The server answered with an unexpected HTTP status.
    case httpStatus(url: String, status: Int, message: String)
    /// The server's answer lacks what every Hub answer has (`X-Repo-Commit`, an ETag), or has it
    /// in a form that could not be a Hub's; `HF_ENDPOINT` probably points elsewhere.
    case notAHubEndpoint(url: String, reason: String)
    /// The connection failed (DNS, refused, reset, timeout, dropped mid-transfer).
    case network(url: String, reason: String)
    /// The body ended before the announced size, or exceeded it.
    case incompleteDownload(file: String, expectedBytes: Int64, receivedBytes: Int64)
    /// Writing into the cache failed.
    case cacheWriteFailed(path: String, reason: String)
}

extension ModelRepositoryError: CustomStringConvertible, LocalizedError {
    /// A message naming the model, the file and the problem.
    public var description: String {
        switch self {
        case .invalidIdentifier(let string):
            return "\"\(string)\" is neither a directory nor a Hugging Face Hub model id like \"google/vit-base-patch16-224\""
        case .invalidRevision(let revision):
            return "\"\(revision)\" is not a valid revision (branch, tag or commit hash)"
        case .directoryNotFound(let path):
            return "\(path): no such model directory"
        case .missingFile(let location, let file):
            return "\(location): missing \(file)"
        case .pickleWeightsOnly(let location, let file):
            return "\(location): only \(file) (pickled PyTorch weights) is available; SwiftViT never unpickles, because "
                + "unpickling can run arbitrary code. Convert to safetensors, e.g. in Python: "
                + "model.save_pretrained(path, safe_serialization=True)"
        case .noWeights(let location):
            return "\(location): no model.safetensors or model.safetensors.index.json"
        case .invalidShardIndex(let file, let reason):
            return "\(file): invalid shard index: \(reason)"
        case .notCached(let repository, let revision, let cache, let file):
            return "offline mode (HF_HUB_OFFLINE) is on and \(repository) at revision \(revision) is not in the cache "
                + "\(cache) (missing \(file)); run once with network access, or unset HF_HUB_OFFLINE"
        case .repositoryNotFound(let repository, let status):
            return "\(repository): repository not found on the Hub (HTTP \(status)); if it is private, set HF_TOKEN"
        case .revisionNotFound(let repository, let revision):
            return "\(repository): no revision \"\(revision)\" on the Hub"
        case .unauthorized(let repository, let status, let tokenSent):
            return "\(repository): access refused (HTTP \(status)); "
                + (tokenSent ? "the HF_TOKEN sent has no access to this (gated or private) repository"
                             : "it is gated or private: set HF_TOKEN to a token with access")
        case .httpStatus(let url, let status, let message):
            return "\(url): HTTP \(status)" + (message.isEmpty ? "" : ": \(message)")
        case .notAHubEndpoint(let url, let reason):
            return "\(url): not a Hugging Face Hub answer (\(reason)); check HF_ENDPOINT and any proxy"
        case .network(let url, let reason):
            return "\(url): network error: \(reason)"
        case .incompleteDownload(let file, let expected, let received):
            return "\(file): download incomplete: received \(received) of \(expected) bytes"
        case .cacheWriteFailed(let path, let reason):
            return "\(path): cannot write to the Hugging Face cache: \(reason)"
        }
    }

    /// The same message as ``description``.
    public var errorDescription: String? { description }
}
