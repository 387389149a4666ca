import Checkpoints
import Foundation

/// Finds a model's files the way `transformers`' `from_pretrained` does, and returns them as one
/// local directory:
///
/// 1. an existing **local directory** holding `config.json`, `preprocessor_config.json` and the
///    weights;
/// 2. otherwise a **Hub id** (`google/vit-base-patch16-224`) at a revision (default `main`),
///    taken from the Hugging Face cache shared with Python when every file is there (no network
///    is used then, as with `local_files_only=True`);
/// 3. otherwise **downloaded** from `$HF_ENDPOINT` into that cache. With `HF_HUB_OFFLINE=1`
///    step 3 is never taken: a model missing from the cache is an error.
///
/// Weights are `model.safetensors`, else `model.safetensors.index.json` and its shards. A model
/// with only `pytorch_model.bin` is refused: pickles are never loaded.
///
/// ```swift
/// let repository = ModelRepository()              // configured from the environment
/// let files = try await repository.resolve("google/vit-base-patch16-224") { progress in
///     print(progress.file, progress.completedBytes, progress.totalBytes ?? -1)
/// }
/// let configuration = try ViTConfiguration(contentsOf: files.configuration)   // VisionTransformer
/// let checkpoint = try files.openCheckpoint()
/// ```
public struct ModelRepository: Sendable {
    /// The model used when none is named.
    public static let defaultModel = "google/vit-base-patch16-224"
    /// The preprocessing configuration's file name.
    public static let preprocessorConfigurationFileName = "preprocessor_config.json"
    /// The model configuration's file name.
    public static let configurationFileName = "config.json"

    /// The Hugging Face cache read and written.
    public var cache: HuggingFaceCache
    /// The Hub client used when the cache lacks files.
    public var downloader: HubDownloader
    /// When true (`HF_HUB_OFFLINE=1`), the network is never used.
    public var isOffline: Bool

    /// A repository using the given cache and downloader.
    public init(cache: HuggingFaceCache, downloader: HubDownloader = HubDownloader(), isOffline: Bool = false) {
        self.cache = cache
        self.downloader = downloader
        self.isOffline = isOffline
    }

    /// A repository configured like `huggingface_hub` from environment variables: the cache
    /// location (`HF_HUB_CACHE`, `HF_HOME`, `XDG_CACHE_HOME`), `HF_ENDPOINT`, `HF_TOKEN`,
    /// `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`), `HF_HUB_ETAG_TIMEOUT` and
    /// `HF_HUB_DOWNLOAD_TIMEOUT`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func nonEmpty(_ key: String) -> String? {
            guard let value = environment[key], !value.isEmpty else { return nil }
            return value
        }
        var endpoint = HubDownloader.defaultEndpoint
        if let value = nonEmpty("HF_ENDPOINT"), let url = URL(string: value.hasSuffix("/") ? String(value.dropLast()) : value) {
            endpoint = url
        }
        var downloader = HubDownloader(endpoint: endpoint, token: nonEmpty("HF_TOKEN"))
        if let timeout = nonEmpty("HF_HUB_ETAG_TIMEOUT").flatMap(TimeInterval.init) { downloader.metadataTimeout = timeout }
        if let timeout = nonEmpty("HF_HUB_DOWNLOAD_TIMEOUT").flatMap(TimeInterval.init) { downloader.downloadTimeout = timeout }
        // Python: `os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE")`.
        let offline = nonEmpty("HF_HUB_OFFLINE") ?? nonEmpty("TRANSFORMERS_OFFLINE")
        self.init(cache: HuggingFaceCache(environment: environment), downloader: downloader,
                  isOffline: offline.map { ["1", "ON", "YES", "TRUE"].contains($0.uppercased()) } ?? false)
    }

    // MARK: - Resolution

    /// Resolves a local directory or a Hub model id to local files, downloading what is missing.
    ///
    /// - Parameters:
    ///   - model: A directory path, or a Hub id such as `google/vit-base-patch16-224`.
    ///   - revision: A branch, tag or commit hash (Hub ids only).
    ///   - progress: Receives byte counts of each file being downloaded (on a background thread).
    /// - Throws: ``ModelRepositoryError``, or `CancellationError` if the task is cancelled.
    public func resolve(_ model: String = ModelRepository.defaultModel, revision: String = "main",
                        progress: DownloadProgressHandler? = nil) async throws -> ModelFiles {
        let path = Self.expandingTilde(model)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ModelRepositoryError.directoryNotFound(path: path) }
            return try localFiles(in: URL(fileURLWithPath: path, isDirectory: true))
        }
        if model.hasPrefix("/") || model.hasPrefix(".") || model.hasPrefix("~") {
            throw ModelRepositoryError.directoryNotFound(path: path)
        }
        guard let repository = RepositoryID(model) else { throw ModelRepositoryError.invalidIdentifier(model) }
        guard Revision.isValid(revision) else { throw ModelRepositoryError.invalidRevision(revision) }

        let missing: String
        switch try cachedFiles(repository, revision: revision) {
        case .complete(let files): return files
        case .incomplete(let file): missing = file
        }
        if isOffline {
            throw ModelRepositoryError.notCached(repository: repository.rawValue, revision: revision,
                                                 cache: cache.root.path, file: missing)
        }
        return try await download(repository, revision: revision, progress: progress)
    }

    /// The files of a model directory on disk.
    ///
    /// - Throws: ``ModelRepositoryError`` if a configuration or weight file is missing, or only
    ///   pickled weights exist.
    public func localFiles(in directory: URL) throws(ModelRepositoryError) -> ModelFiles {
        let location = directory.path
        let fileManager = FileManager.default
        for file in [Self.configurationFileName, Self.preprocessorConfigurationFileName]
        where !fileManager.fileExists(atPath: directory.appendingPathComponent(file).path) {
            throw .missingFile(location: location, file: file)
        }
        let single = directory.appendingPathComponent(Checkpoint.singleFileName)
        var weights: [URL] = []
        var shardIndex: URL?
        if fileManager.fileExists(atPath: single.path) {
            weights = [single]
        } else if fileManager.fileExists(atPath: directory.appendingPathComponent(ShardIndex.fileName).path) {
            let index = try Self.readIndex(directory.appendingPathComponent(ShardIndex.fileName))
            for shard in index.shardNames {
                let url = index.url(ofShard: shard)
                guard fileManager.fileExists(atPath: url.path) else { throw .missingFile(location: location, file: shard) }
                weights.append(url)
            }
            shardIndex = index.url
        } else {
            for pickle in Checkpoint.pickleFileNames where fileManager.fileExists(atPath: directory.appendingPathComponent(pickle).path) {
                throw .pickleWeightsOnly(location: location, file: pickle)
            }
            throw .noWeights(location: location)
        }
        return ModelFiles(directory: directory, configuration: directory.appendingPathComponent(Self.configurationFileName),
                          preprocessorConfiguration: directory.appendingPathComponent(Self.preprocessorConfigurationFileName),
                          weights: weights, shardIndex: shardIndex, source: .localDirectory)
    }

    /// Whether a Hub model is completely in the cache.
    public enum CacheLookup: Sendable, Equatable {
        /// Every file is cached.
        case complete(ModelFiles)
        /// At least this file is not cached.
        case incomplete(missing: String)
    }

    /// Looks a Hub model up in the cache only, never using the network.
    ///
    /// - Throws: ``ModelRepositoryError/pickleWeightsOnly(location:file:)`` when the cache shows
    ///   the model has only pickled weights; ``ModelRepositoryError/invalidShardIndex(file:reason:)``.
    public func cachedFiles(_ repository: RepositoryID, revision: String) throws(ModelRepositoryError) -> CacheLookup {
        guard let commit = cache.commit(forRevision: revision, in: repository) else {
            return .incomplete(missing: Self.configurationFileName)
        }
        func cached(_ file: String) -> URL? { cache.cachedFile(file, in: repository, commit: commit) }
        guard let configuration = cached(Self.configurationFileName) else { return .incomplete(missing: Self.configurationFileName) }
        guard let preprocessor = cached(Self.preprocessorConfigurationFileName) else {
            return .incomplete(missing: Self.preprocessorConfigurationFileName)
        }
        let directory = cache.snapshotDirectory(repository, commit: commit)
        func files(_ weights: [URL], index: URL?) -> CacheLookup {
            .complete(ModelFiles(directory: directory, configuration: configuration, preprocessorConfiguration: preprocessor,
                                 weights: weights, shardIndex: index, source: .cache(commit: commit)))
        }
        if let single = cached(Checkpoint.singleFileName) { return files([single], index: nil) }
        if let indexURL = cached(ShardIndex.fileName) {
            let index = try Self.readIndex(indexURL)
            var shards: [URL] = []
            for shard in index.shardNames {
                guard let url = cached(shard) else { return .incomplete(missing: shard) }
                shards.append(url)
            }
            return files(shards, index: indexURL)
        }
        let safetensorsAbsent = [Checkpoint.singleFileName, ShardIndex.fileName]
            .allSatisfy { cache.isMarkedMissing($0, in: repository, commit: commit) }
        if safetensorsAbsent {
            for pickle in Checkpoint.pickleFileNames where cached(pickle) != nil {
                throw .pickleWeightsOnly(location: "\(repository) (revision \(revision))", file: pickle)
            }
        }
        return .incomplete(missing: Checkpoint.singleFileName)
    }

    /// Downloads what the cache lacks. The first answer pins the commit, and every later file is
    /// requested at that commit, so a push during the download cannot mix two versions.
    private func download(_ repository: RepositoryID, revision: String, progress: DownloadProgressHandler?) async throws
        -> ModelFiles {
        let location = "\(repository) (revision \(revision))"
        var commit: String?
        func fetch(_ file: String) async throws -> URL? {
            let result = try await downloader.fetch(file, from: repository, revision: commit ?? revision, into: cache,
                                                    progress: progress)
            if commit == nil { commit = result?.commit }
            return result?.url
        }
        func require(_ file: String) async throws -> URL {
            guard let url = try await fetch(file) else { throw ModelRepositoryError.missingFile(location: location, file: file) }
            return url
        }
        let configuration = try await require(Self.configurationFileName)
        let preprocessor = try await require(Self.preprocessorConfigurationFileName)
        var weights: [URL] = []
        var shardIndex: URL?
        if let single = try await fetch(Checkpoint.singleFileName) {
            weights = [single]
        } else if let indexURL = try await fetch(ShardIndex.fileName) {
            let index = try Self.readIndex(indexURL)
            for shard in index.shardNames { weights.append(try await require(shard)) }
            shardIndex = indexURL
        } else {
            // Only to explain the failure: the pickle itself is never downloaded.
            for pickle in Checkpoint.pickleFileNames {
                if case .found = try await downloader.metadata(for: pickle, in: repository, revision: commit ?? revision) {
                    throw ModelRepositoryError.pickleWeightsOnly(location: location, file: pickle)
                }
            }
            throw ModelRepositoryError.noWeights(location: location)
        }
        // `commit` is set: the configuration above was found.
        return ModelFiles(directory: configuration.deletingLastPathComponent(), configuration: configuration,
                          preprocessorConfiguration: preprocessor, weights: weights, shardIndex: shardIndex,
                          source: .download(commit: commit ?? revision))
    }

    private static func readIndex(_ url: URL) throws(ModelRepositoryError) -> ShardIndex {
        do {
            return try ShardIndex(contentsOf: url)
        } catch {
            if case .invalidIndex(let file, let reason) = error { throw .invalidShardIndex(file: file, reason: reason) }
            throw .invalidShardIndex(file: url.path, reason: error.description)
        }
    }

    private static func expandingTilde(_ path: String) -> String {
        if path == "~" { return NSHomeDirectory() }
        if path.hasPrefix("~/") { return NSHomeDirectory() + path.dropFirst(1) }
        return path
    }
}
