import Foundation

/// Why an image could not be decoded. Every case names its source (a file path, or whatever name the caller
/// gave the bytes) when there is one.
public enum ImageDecodingError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The file could not be read at all (missing, a directory, no permission).
    case unreadableFile(path: String, reason: String)
    /// There are no bytes.
    case empty(source: String?)
    /// The bytes start with neither a JPEG nor a PNG signature.
    case unrecognizedFormat(source: String?)
    /// The data ends before the image does (Pillow raises "image file is truncated" for these).
    case truncated(source: String?, format: ImageFormat)
    /// A PNG chunk's CRC does not match its contents (Pillow checks the chunks before the image data).
    case badChecksum(source: String?, chunk: String)
    /// The data is malformed; `reason` is the decoder's explanation.
    case corrupt(source: String?, format: ImageFormat, reason: String)
    /// The data is valid but uses a feature Pillow or our decoders do not read (e.g. 12-bit JPEG).
    case unsupported(source: String?, format: ImageFormat, reason: String)
    /// The header declares more pixels than the decoder's limit, so nothing was allocated.
    case tooManyPixels(source: String?, width: Int, height: Int, limit: Int)
    /// Decoding would need more memory than the decoder's budget (``ImageDecoder/memoryBudget``), so nothing
    /// was allocated; `needed` and `budget` are in bytes.
    case exceedsMemoryBudget(source: String?, needed: Int, budget: Int)

    /// The file path or name the error is about, if known.
    public var source: String? {
        switch self {
        case .unreadableFile(let path, _): return path
        case .empty(let source), .unrecognizedFormat(let source), .truncated(let source, _),
             .badChecksum(let source, _), .corrupt(let source, _, _), .unsupported(let source, _, _),
             .tooManyPixels(let source, _, _, _), .exceedsMemoryBudget(let source, _, _):
            return source
        }
    }

    /// A human-readable message naming the source and the problem.
    public var description: String {
        let subject = source.map { "image \($0)" } ?? "image data"
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read image file \(path): \(reason)"
        case .empty:
            return "\(subject) is empty (0 bytes)"
        case .unrecognizedFormat:
            return "\(subject) is neither a JPEG nor a PNG file (unrecognised leading bytes)"
        case .truncated(_, let format):
            return "\(subject) is a truncated \(format) file: the data ends before the image does"
        case .badChecksum(_, let chunk):
            return "\(subject) is a broken PNG file: bad CRC in the \(chunk) chunk"
        case .corrupt(_, let format, let reason):
            return "\(subject) is a corrupt \(format) file: \(reason)"
        case .unsupported(_, let format, let reason):
            return "\(subject) is a \(format) file we cannot read: \(reason)"
        case .tooManyPixels(_, let width, let height, let limit):
            return "\(subject) is \(width)×\(height) = \(width * height) pixels, more than the limit of \(limit) "
                + "(a possible decompression bomb)"
        case .exceedsMemoryBudget(_, let needed, let budget):
            return "\(subject) needs \(Self.megabytes(needed)) of memory to decode, more than the decoding budget of "
                + "\(Self.megabytes(budget)) (\(needed) > \(budget) bytes)"
        }
    }

    /// `bytes` in binary megabytes with one decimal, e.g. `"507.2 MB"`.
    private static func megabytes(_ bytes: Int) -> String {
        let tenths = Int((Double(bytes) / 104_857.6).rounded())
        return "\(tenths / 10).\(tenths % 10) MB"
    }

    /// The same message as ``description``, for `LocalizedError` consumers.
    public var errorDescription: String? { description }

    /// The same error about `source`, for errors raised before the source was known.
    func naming(_ source: String?) -> Self {
        guard let source else { return self }
        switch self {
        case .unreadableFile: return self
        case .empty: return .empty(source: source)
        case .unrecognizedFormat: return .unrecognizedFormat(source: source)
        case .truncated(_, let format): return .truncated(source: source, format: format)
        case .badChecksum(_, let chunk): return .badChecksum(source: source, chunk: chunk)
        case .corrupt(_, let format, let reason): return .corrupt(source: source, format: format, reason: reason)
        case .unsupported(_, let format, let reason):
            return .unsupported(source: source, format: format, reason: reason)
        case .tooManyPixels(_, let width, let height, let limit):
            return .tooManyPixels(source: source, width: width, height: height, limit: limit)
        case .exceedsMemoryBudget(_, let needed, let budget):
            return .exceedsMemoryBudget(source: source, needed: needed, budget: budget)
        }
    }
}
