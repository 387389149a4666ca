import Foundation

/// Why ``ImageProcessor`` could not process an image.
public enum ImageProcessingError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The output buffer does not have room for exactly one processed image.
    case bufferSizeMismatch(expected: Int, actual: Int)
    /// The backend has no such resampling filter (transformers' torchvision backend raises
    /// `NotImplementedError` for box and Hamming).
    case unsupportedFilter(ResamplingFilter, backend: ProcessorBackend)
    /// `image_std` has a zero, which transformers' torchvision backend refuses (a division by zero).
    case zeroStandardDeviation(backend: ProcessorBackend)

    /// A human-readable message.
    public var description: String {
        switch self {
        case .bufferSizeMismatch(let expected, let actual):
            return "the output buffer holds \(actual) floats but the processed image needs \(expected)"
        case .unsupportedFilter(let filter, let backend):
            return "the \(backend) backend cannot resize with resample \(filter.rawValue) (\(filter)): PyTorch's "
                + "interpolate has no such mode and transformers' torchvision backend raises NotImplementedError; "
                + "use the pillow backend, as transformers' backend=\"pil\" does"
        case .zeroStandardDeviation(let backend):
            return "image_std has a zero, which the \(backend) backend refuses (division by zero)"
        }
    }

    /// The same message as ``description``, for `LocalizedError` consumers.
    public var errorDescription: String? { description }
}
