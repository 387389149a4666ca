import Foundation
import ImagePreprocessing

/// One image to classify: a file, encoded bytes, or decoded pixels.
public enum ImageInput: Sendable {
    /// An image file (JPEG or PNG, recognised by its bytes).
    case file(URL)
    /// Encoded image bytes; `name` identifies them in errors.
    case data(Data, name: String? = nil)
    /// An already decoded RGB image; `name` identifies it in errors.
    case image(RGBImage, name: String? = nil)

    /// How errors and results refer to this input.
    public var name: String {
        switch self {
        case .file(let url): url.path
        case .data(_, let name): name ?? "<data>"
        case .image(_, let name): name ?? "<image>"
        }
    }
}

/// An image decoded and preprocessed into model input, ready for ``ImageClassifier/classify(_:topK:)-(PreparedImage,_)``.
///
/// Preparing is the per-image CPU work outside the network (decoding, EXIF, resizing,
/// normalisation); doing it for the next images while the current batch runs keeps the cores
/// busy.
public struct PreparedImage: Sendable {
    /// The input's name (its path, for files).
    public let name: String
    /// `channels × size × size` floats, channels first.
    public let pixelValues: [Float]
}
