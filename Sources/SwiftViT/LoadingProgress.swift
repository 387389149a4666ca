import Foundation
import ModelHub

/// How far loading a model has got: a file being downloaded from the Hub, or the weights being read
/// from disk (a 346 MB ViT-B/16 checkpoint takes seconds to read from a cold disk).
public struct LoadingProgress: Sendable, Equatable {
    /// What is happening to ``file``.
    public enum Stage: String, Sendable, Equatable {
        /// Downloading it into the Hugging Face cache.
        case downloading
        /// Reading it from disk into memory (from the cache or a model folder).
        case reading
    }

    /// What is happening.
    public let stage: Stage
    /// The file's name, e.g. `model.safetensors`.
    public let file: String
    /// Bytes done so far.
    public let completedBytes: Int64
    /// The file's size, when known (a download without a declared length has none).
    public let totalBytes: Int64?

    /// Creates a progress report.
    public init(stage: Stage, file: String, completedBytes: Int64, totalBytes: Int64?) {
        (self.stage, self.file, self.completedBytes, self.totalBytes) = (stage, file, completedBytes, totalBytes)
    }

    /// A download's progress.
    public init(_ download: DownloadProgress) {
        self.init(stage: .downloading, file: download.file, completedBytes: download.completedBytes,
                  totalBytes: download.totalBytes)
    }

    /// The completed fraction in 0…1, when the size is known.
    public var fractionCompleted: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return Double(completedBytes) / Double(totalBytes)
    }
}

/// A function receiving loading progress, called from the loading thread or a download's background thread.
public typealias LoadingProgressHandler = @Sendable (LoadingProgress) -> Void

/// Reads the weight files from disk in chunks, reporting progress, so that the memory-mapped checkpoint
/// is then served from the page cache: the disk time is spent here, visibly, instead of inside the first
/// forward pass. Only done when someone watches the progress.
enum WeightFileReader {
    static let chunkSize = 8 << 20

    static func read(_ files: [URL], progress: LoadingProgressHandler) {
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        for url in files {
            // A file that cannot be read here is reported properly by the checkpoint's own opening.
            guard let handle = try? FileHandle(forReadingFrom: url) else { continue }
            defer { try? handle.close() }
            let total = (try? handle.seekToEnd()).map(Int64.init)
            try? handle.seek(toOffset: 0)
            var completed: Int64 = 0
            progress(LoadingProgress(stage: .reading, file: url.lastPathComponent, completedBytes: 0, totalBytes: total))
            while true {
                let count = buffer.withUnsafeMutableBytes { Foundation.read(handle.fileDescriptor, $0.baseAddress, chunkSize) }
                guard count > 0 else { break }
                completed += Int64(count)
                progress(LoadingProgress(stage: .reading, file: url.lastPathComponent, completedBytes: completed,
                                         totalBytes: total))
            }
        }
    }
}
