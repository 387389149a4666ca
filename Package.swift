// swift-tools-version: 6.1
//
// SwiftViT: Vision Transformer image classification on Linux CPUs, on a tensor engine of its own.
// Module graph (each arrow is "depends on"):
//
//   vit-classify, vit-bench ─▶ SwiftViT (the ImageClassifier facade)
//   SwiftViT ─▶ VisionTransformer ─▶ WeightLoading ─▶ Tensors ─▶ CBLAS, CVectorKernels
//   SwiftViT ─▶ ImagePreprocessing ─▶ WeightLoading (processor configuration), CJPEG, CPNG
import PackageDescription

let package = Package(
    name: "SwiftViT",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwiftViT", targets: ["SwiftViT"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "ImagePreprocessing", targets: ["ImagePreprocessing"]),
        .library(name: "WeightLoading", targets: ["WeightLoading"]),
        .library(name: "VisionTransformer", targets: ["VisionTransformer"]),
        .executable(name: "vit-classify", targets: ["vit-classify"]),
        .executable(name: "vit-bench", targets: ["vit-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Counts heap allocations for vit-bench's zero-allocation check (LD_PRELOAD'ed .so).
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
    ],
    targets: [
        // System-library shims: module maps and link flags only.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE",
                       providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG",
                       providers: [.apt(["libturbojpeg0-dev", "libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG",
                       providers: [.apt(["libpng-dev"])]),

        // Element-wise kernels compiled per instruction set (AVX2, AVX-512) and picked at run time.
        .target(name: "CVectorKernels"),
        .target(name: "Tensors", dependencies: ["CBLAS", "CVectorKernels"]),
        .target(name: "WeightLoading", dependencies: ["Tensors"]),
        .target(name: "ImagePreprocessing", dependencies: ["WeightLoading", "CJPEG", "CPNG"]),
        .target(name: "VisionTransformer", dependencies: ["Tensors", "WeightLoading"]),
        .target(name: "SwiftViT",
                dependencies: ["Tensors", "WeightLoading", "ImagePreprocessing", "VisionTransformer"]),
        .executableTarget(
            name: "vit-classify",
            dependencies: ["SwiftViT", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "vit-bench",
            dependencies: ["SwiftViT", "Tensors", "VisionTransformer", "WeightLoading", "ImagePreprocessing",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "MallocInterposerSwift", package: "malloc-interposer")],
            path: "Benchmarks/vit-bench"),

        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "WeightLoadingTests", dependencies: ["WeightLoading", "Tensors"]),
        .testTarget(name: "ImagePreprocessingTests", dependencies: ["ImagePreprocessing", "WeightLoading"]),
        .testTarget(name: "VisionTransformerTests",
                    dependencies: ["VisionTransformer", "WeightLoading", "Tensors"]),
        .testTarget(name: "SwiftViTTests", dependencies: ["SwiftViT"]),
        // Runs the built vit-classify executable; depending on it makes `swift test` build it.
        .testTarget(name: "VitClassifyTests", dependencies: ["vit-classify", "SwiftViT"]),
    ],
    swiftLanguageModes: [.v6]
)
