/// How far the download of one file has got, reported to the caller while it runs.
public struct DownloadProgress: Sendable, Equatable {
    /// The file in the repository, e.g. `model.safetensors`.
    public let file: String
    /// Bytes received so far.
    public let completedBytes: Int64
    /// The file's size, when the server announced it.
    public let totalBytes: Int64?

    /// Creates a progress report.
    public init(file: String, completedBytes: Int64, totalBytes: Int64?) {
        self.file = file
        self.completedBytes = completedBytes
        self.totalBytes = totalBytes
    }

    /// The completed fraction in 0…1, when the size is known.
    public var fractionCompleted: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return Double(completedBytes) / Double(totalBytes)
    }
}

/// A function receiving download progress. It is called from a background thread.
public typealias DownloadProgressHandler = @Sendable (DownloadProgress) -> Void
