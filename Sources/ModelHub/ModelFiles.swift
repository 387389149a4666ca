import Checkpoints
import Foundation

/// The files of a resolved model, all in one local directory: what
/// ``ModelRepository/resolve(_:revision:progress:)`` returns.
public struct ModelFiles: Sendable, Equatable {
    /// Where the files came from.
    public enum Source: Sendable, Equatable {
        /// A directory the caller named.
        case localDirectory
        /// Already in the Hugging Face cache, at this commit; no network was used.
        case cache(commit: String)
        /// Downloaded now (at least one file), into the cache at this commit.
        case download(commit: String)
    }

    /// The directory holding every file (a cache snapshot directory for Hub models).
    public let directory: URL
    /// `config.json`.
    public let configuration: URL
    /// `preprocessor_config.json`.
    public let preprocessorConfiguration: URL
    /// The safetensors weight files: `model.safetensors`, or every shard.
    public let weights: [URL]
    /// `model.safetensors.index.json`, for a sharded checkpoint.
    public let shardIndex: URL?
    /// Where the files came from.
    public let source: Source

    /// Creates a description of resolved files.
    public init(directory: URL, configuration: URL, preprocessorConfiguration: URL, weights: [URL], shardIndex: URL?,
                source: Source) {
        self.directory = directory
        self.configuration = configuration
        self.preprocessorConfiguration = preprocessorConfiguration
        self.weights = weights
        self.shardIndex = shardIndex
        self.source = source
    }

    /// The commit of a Hub model (`nil` for a local directory).
    public var commit: String? {
        switch source {
        case .localDirectory: nil
        case .cache(let commit), .download(let commit): commit
        }
    }

    /// Opens (memory-maps and validates) the weights.
    public func openCheckpoint() throws(SafetensorsError) -> Checkpoint {
        if let shardIndex { return try Checkpoint(index: shardIndex) }
        // A resolved model has exactly one weight file when it is not sharded.
        guard let file = weights.first else { throw .noSafetensorsWeights(directory: directory.path) }
        return try Checkpoint(file: file)
    }
}
