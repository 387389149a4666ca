// swift-tools-version: 6.1
//
// SwiftViT: Vision Transformer image classification on Linux CPUs, on a tensor engine of its own.
// Module graph (each arrow is "depends on"):
//
//   vit-classify, vit-bench ─▶ SwiftViT (the ImageClassifier facade, the one library product)
//   vit-serve ─▶ SwiftViT, Hummingbird, ServiceLifecycle, Logging, Prometheus   (the HTTP server)
//   SwiftViT ─▶ VisionTransformer, ImagePreprocessing, ModelHub
//   VisionTransformer ─▶ Tensors, Checkpoints, StrictJSON     (the model and its configuration)
//   ModelHub ─▶ Checkpoints                                    (Hub id, cache, download)
//   Checkpoints ─▶ Tensors, StrictJSON                         (safetensors, shard indexes)
//   ImagePreprocessing ─▶ CJPEG, CPNG, StrictJSON              (decoders, processor and its configuration)
//   Tensors ─▶ CKernels, CBLAS                                 (tensor engine; OpenBLAS as reference/fallback)
import PackageDescription

let package = Package(
    name: "SwiftViT",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwiftViT", targets: ["SwiftViT"]),
        .executable(name: "vit-classify", targets: ["vit-classify"]),
        .executable(name: "vit-bench", targets: ["vit-bench"]),
        // The HTTP server is its own product, so library users never build a web framework.
        .executable(name: "vit-serve", targets: ["vit-serve"]),
    ],
    dependencies: [
        // The command-line tools' argument parsing. vit-bench's allocation counter is our own C target
        // (Benchmarks/AllocationCounter), so a library user resolves nothing for benchmarks.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `swift package generate-documentation --target SwiftViT` builds Sources/SwiftViT/SwiftViT.docc
        // (scripts/generate-documentation.sh); a plugin, so library users never fetch or build it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // vit-serve only. Hummingbird's default traits pull in swift-configuration, which it does not need.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // System-library shims: module maps and link flags only.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        // libjpeg-turbo's scanline API behind a C shim that keeps its setjmp/longjmp error handling inside C
        // (Debian: libjpeg62-turbo-dev).
        .target(name: "CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG",
                       providers: [.apt(["libpng-dev"])]),

        // Our C kernels, compiled per instruction set (AVX2, AVX-512) and picked at run time by CPUID.
        .target(name: "CKernels"),
        .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"]),
        // The one JSON reader: a strict parser for untrusted input (safetensors headers, shard indexes) and a
        // Decoder over its tree for configuration files (with Python json's rules) and our own JSONL records.
        .target(name: "StrictJSON"),
        .target(name: "Checkpoints", dependencies: ["Tensors", "StrictJSON"]),
        .target(name: "ModelHub", dependencies: ["Checkpoints"]),
        .target(name: "ImagePreprocessing", dependencies: ["CJPEG", "CPNG", "StrictJSON"]),
        .target(name: "VisionTransformer", dependencies: ["Tensors", "Checkpoints", "StrictJSON"]),
        .target(name: "SwiftViT",
                dependencies: ["Tensors", "Checkpoints", "ModelHub", "ImagePreprocessing", "VisionTransformer"]),
        .executableTarget(
            name: "vit-classify",
            dependencies: ["SwiftViT", "ImagePreprocessing", "ModelHub", "StrictJSON",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "vit-bench",
            dependencies: ["SwiftViT", "Tensors", "VisionTransformer", "Checkpoints", "ModelHub", "ImagePreprocessing",
                           "AllocationCounter",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/vit-bench"),
        // A counting malloc for vit-bench --allocations (replaces glibc's by ELF interposition).
        .target(name: "AllocationCounter", path: "Benchmarks/AllocationCounter"),
        .executableTarget(
            name: "vit-serve",
            dependencies: ["SwiftViT",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdCore", package: "hummingbird"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Prometheus", package: "swift-prometheus")]),

        // Fixture locations, temporary folders and byte builders shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"]),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON", "TestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "Tensors", "TestSupport"]),
        .testTarget(name: "ModelHubTests", dependencies: ["ModelHub", "Checkpoints", "TestSupport"]),
        // libjpeg's compressor, for tests that write progressive files of any shape.
        .target(name: "JPEGTestEncoder", path: "Tests/JPEGTestEncoder", linkerSettings: [.linkedLibrary("jpeg")]),
        .testTarget(name: "ImagePreprocessingTests", dependencies: ["ImagePreprocessing", "TestSupport", "JPEGTestEncoder"]),
        .testTarget(name: "VisionTransformerTests",
                    dependencies: ["VisionTransformer", "Checkpoints", "Tensors", "TestSupport"]),
        .testTarget(name: "SwiftViTTests", dependencies: ["SwiftViT", "Checkpoints", "Tensors"]),
        // Runs the built vit-classify executable; depending on it makes `swift test` build it.
        .testTarget(name: "VitClassifyTests", dependencies: ["vit-classify", "SwiftViT", "Checkpoints", "Tensors", "TestSupport"]),
        // Starts the built vit-serve on a free loopback port and talks HTTP to it.
        .testTarget(name: "VitServeTests", dependencies: ["vit-serve", "SwiftViT", "Checkpoints", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
