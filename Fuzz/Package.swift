// swift-tools-version: 6.1
//
// libFuzzer harnesses for SwiftViT's parsers of untrusted input: a package of its own, so the main
// package's build and CI never compile them. `scripts/fuzz.sh` builds them with
// `-sanitize=fuzzer,address` into .build-fuzz and runs them; see Documentation/Fuzzing.md.
//
// Each harness uses only the public API of the SwiftViT product's modules (ImagePreprocessing,
// Checkpoints, VisionTransformer), as any library user would.
import Foundation
import PackageDescription

// A path dependency's identity is the name of its folder, which is whatever the checkout is called.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()
let swiftViT = Target.Dependency.product(name: "SwiftViT", package: root.lastPathComponent.lowercased())

let package = Package(
    name: "SwiftViTFuzz",
    dependencies: [.package(path: root.path)],
    targets: [
        // libFuzzer's LLVMFuzzerRunDriver, declared for Swift, and the entry point built on it.
        .target(name: "CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"]),
        // JPEG/PNG bytes → RGBImage (ImageDecoder), then → pixel values (ImageProcessor, both backends).
        .executableTarget(name: "FuzzImage", dependencies: [swiftViT, "FuzzSupport"]),
        // A safetensors file: its header, then every tensor read as Float32 (Checkpoints).
        .executableTarget(name: "FuzzSafetensors", dependencies: [swiftViT, "FuzzSupport"]),
        // A sharded checkpoint's model.safetensors.index.json (Checkpoints, StrictJSON).
        .executableTarget(name: "FuzzShardIndex", dependencies: [swiftViT, "FuzzSupport"]),
        // A model's config.json → ViTConfiguration (VisionTransformer, StrictJSON).
        .executableTarget(name: "FuzzModelConfig", dependencies: [swiftViT, "FuzzSupport"]),
        // A preprocessor_config.json → ImageProcessingConfiguration → ImageProcessor on a small image.
        .executableTarget(name: "FuzzPreprocessorConfig", dependencies: [swiftViT, "FuzzSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
