// The types that appear in ImageClassifier's API come from the lower modules; re-exporting them
// means `import SwiftViT` is all a user writes.
@_exported import ImagePreprocessing
@_exported import WeightLoading
@_exported import enum VisionTransformer.WeightPrecision
