// swift-tools-version: 6.1
//
// libFuzzer harnesses for SwiftViT's parsers of untrusted input: a package of its own, so the main
// package's build and CI never compile them. `scripts/fuzz.sh` builds them into .build-fuzz and
// runs them; see Documentation/Fuzzing.md.
//
// The modules under test are the main package's own sources, reached through the symbolic links
// in Modules/ (Modules/X → ../../Sources/X), with the main package's module graph restated below
// for just the modules the harnesses need. So the fuzz build resolves no remote package and
// compiles no ModelHub, SwiftViT facade, HTTP server or plugin — and the harnesses may use
// `package` API (StrictJSON's parser). If a module gains a dependency in the main Package.swift,
// add it here too (the fuzz build fails until then, naming the missing module).
//
// Only the code that parses untrusted input is built with -sanitize=fuzzer,address (coverage for
// libFuzzer and AddressSanitizer's checks); the tensor engine it links against is built plainly,
// which keeps the build short.
import PackageDescription

let instrumented: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]
// The harnesses and ImagePreprocessing are optimised (-O) even in the debug build: they loop over
// every pixel, and unoptimised the image target ran 4 inputs a second instead of 161 (measured).
let instrumentedOptimized: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-O"])]
let harness: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-O", "-parse-as-library"])]
let linksFuzzer: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "SwiftViTFuzz",
    targets: [
        // The main package's modules (see Package.swift there).
        .systemLibrary(name: "CBLAS", path: "Modules/CBLAS"),
        .target(name: "CJPEG", path: "Modules/CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .systemLibrary(name: "CPNG", path: "Modules/CPNG"),
        .target(name: "CKernels", path: "Modules/CKernels"),
        .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"], path: "Modules/Tensors"),
        .target(name: "StrictJSON", path: "Modules/StrictJSON", swiftSettings: instrumented),
        .target(name: "Checkpoints", dependencies: ["Tensors", "StrictJSON"], path: "Modules/Checkpoints",
                swiftSettings: instrumented),
        .target(name: "ImagePreprocessing", dependencies: ["CJPEG", "CPNG", "StrictJSON"],
                path: "Modules/ImagePreprocessing", swiftSettings: instrumentedOptimized),
        .target(name: "VisionTransformer", dependencies: ["Tensors", "Checkpoints", "StrictJSON"],
                path: "Modules/VisionTransformer", swiftSettings: instrumented),

        // libFuzzer's LLVMFuzzerRunDriver, declared for Swift, and the entry point built on it.
        .target(name: "CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"]),

        // JPEG/PNG bytes → RGBImage (ImageDecoder), then → pixel values (ImageProcessor, both backends).
        .executableTarget(name: "FuzzImage", dependencies: ["ImagePreprocessing", "FuzzSupport"],
                          swiftSettings: harness, linkerSettings: linksFuzzer),
        // A safetensors file: its header, then every tensor read as Float32 (Checkpoints).
        .executableTarget(name: "FuzzSafetensors", dependencies: ["Checkpoints", "FuzzSupport"],
                          swiftSettings: harness, linkerSettings: linksFuzzer),
        // A sharded checkpoint's model.safetensors.index.json (Checkpoints, StrictJSON).
        .executableTarget(name: "FuzzShardIndex", dependencies: ["Checkpoints", "FuzzSupport"],
                          swiftSettings: harness, linkerSettings: linksFuzzer),
        // A model's config.json → ViTConfiguration (VisionTransformer, StrictJSON).
        .executableTarget(name: "FuzzModelConfig", dependencies: ["VisionTransformer", "FuzzSupport"],
                          swiftSettings: harness, linkerSettings: linksFuzzer),
        // A preprocessor_config.json → ImageProcessingConfiguration → ImageProcessor on small images.
        .executableTarget(name: "FuzzPreprocessorConfig", dependencies: ["ImagePreprocessing", "FuzzSupport"],
                          swiftSettings: harness, linkerSettings: linksFuzzer),
        // Any bytes → StrictJSON's parser, in both dialects (strict RFC 8259 and Python's json).
        .executableTarget(name: "FuzzJSON", dependencies: ["StrictJSON", "FuzzSupport"],
                          swiftSettings: harness, linkerSettings: linksFuzzer),
    ],
    swiftLanguageModes: [.v6]
)
