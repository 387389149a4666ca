import Foundation
import ImagePreprocessing
import VisionTransformer
import ModelHub
import Checkpoints

/// Why a model could not be loaded or an image could not be classified. Every message names the
/// file or model concerned.
public enum ImageClassifierError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The model could not be found, downloaded or read from the cache; `error` says why (switch
    /// on it to tell a missing folder from a network failure or a gated repository).
    case modelUnavailable(model: String, error: ModelRepositoryError)
    /// The task loading the model was cancelled during a download (no partial file is left).
    case cancelled(model: String)
    /// `config.json` is missing, malformed or describes an unsupported model.
    case invalidConfiguration(ConfigurationError)
    /// `preprocessor_config.json` is malformed.
    case invalidPreprocessorConfiguration(ImageProcessingConfigurationError)
    /// `preprocessor_config.json` asks for something the chosen processor backend cannot do (e.g. box
    /// resampling with ``ProcessorBackend/torchvision``, which transformers' torchvision backend refuses too).
    case unsupportedPreprocessing(model: String, error: ImageProcessingError)
    /// The weights file is damaged or unsupported.
    case invalidCheckpoint(SafetensorsError)
    /// The checkpoint does not match the configuration (missing, unexpected or misshapen tensors).
    case weightsDoNotMatch(WeightBindingError)
    /// The configuration and the preprocessor disagree (e.g. the processor makes 384×384 inputs
    /// for a 224 model).
    case incompatibleModel(model: String, reason: String)
    /// An image could not be read or decoded.
    case undecodableImage(ImageDecodingError)
    /// The image processor produced an input the model cannot take.
    case unsupportedInput(source: String, reason: String)
    /// An argument is out of range (e.g. a batch size of 0).
    case invalidArgument(String)

    /// A one-line message naming the file or model and the problem.
    public var description: String {
        switch self {
        case .modelUnavailable(let model, let error):
            "\(error)".contains(model) ? "\(error)" : "\(model): \(error)"
        case .cancelled(let model): "\(model): loading was cancelled"
        case .invalidConfiguration(let error): "\(error)"
        case .invalidPreprocessorConfiguration(let error): "\(error)"
        case .unsupportedPreprocessing(let model, let error): "\(model)/preprocessor_config.json: \(error)"
        case .invalidCheckpoint(let error): "\(error)"
        case .weightsDoNotMatch(let error): "\(error)"
        case .incompatibleModel(let model, let reason): "\(model): \(reason)"
        case .undecodableImage(let error): "\(error)"
        case .unsupportedInput(let source, let reason): "\(source): \(reason)"
        case .invalidArgument(let reason): reason
        }
    }

    /// The same message as ``description``.
    public var errorDescription: String? { description }
}
