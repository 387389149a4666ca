// `import SwiftViT` is all a user writes: the types that appear in ImageClassifier's API are
// re-exported one by one from the lower modules. The rest of those modules (tensors, kernels,
// layers, parsers) stays inside the package, behind the facade.
@_exported import struct ImagePreprocessing.RGBImage
@_exported import struct ImagePreprocessing.ImageProcessor
@_exported import enum ImagePreprocessing.ProcessorBackend
@_exported import enum ImagePreprocessing.ImageProcessingError
@_exported import enum ImagePreprocessing.ResamplingFilter
@_exported import struct ImagePreprocessing.ImageDecoder
@_exported import struct ImagePreprocessing.EncodedImage
@_exported import enum ImagePreprocessing.ExifOrientation
@_exported import enum ImagePreprocessing.ImageDecodingError
@_exported import enum ImagePreprocessing.ImageProcessingConfigurationError
@_exported import struct ModelHub.ModelFiles
@_exported import struct ModelHub.ModelRepository
@_exported import enum ModelHub.ModelRepositoryError
@_exported import struct ModelHub.DownloadProgress
@_exported import typealias ModelHub.DownloadProgressHandler
@_exported import enum Checkpoints.SafetensorsError
@_exported import struct VisionTransformer.ViTConfiguration
@_exported import enum VisionTransformer.ConfigurationError
@_exported import class VisionTransformer.ViTForImageClassification
@_exported import enum VisionTransformer.WeightBindingError
@_exported import enum VisionTransformer.WeightPrecision
@_exported import enum Tensors.ComputePrecision
