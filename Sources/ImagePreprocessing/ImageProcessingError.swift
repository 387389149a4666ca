import Foundation

/// Why ``ImageProcessor`` could not process an image.
public enum ImageProcessingError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The output buffer does not have room for exactly one processed image.
    case bufferSizeMismatch(expected: Int, actual: Int)

    /// A human-readable message.
    public var description: String {
        switch self {
        case .bufferSizeMismatch(let expected, let actual):
            return "the output buffer holds \(actual) floats but the processed image needs \(expected)"
        }
    }

    /// The same message as ``description``, for `LocalizedError` consumers.
    public var errorDescription: String? { description }
}
