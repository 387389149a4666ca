import Foundation
import Testing
@testable import ModelHub
import Checkpoints
import TestSupport

/// A cache written by SwiftViT is read by the real `huggingface_hub` and `transformers`, offline.
///
/// Needs Python with transformers and huggingface_hub, so it runs only when
/// `SWIFTVIT_INTEROP_PYTHON` names that interpreter (e.g. `/work/venv/bin/python`); CI without
/// Python skips it. The other direction (a cache written by Python, read here) is covered by the
/// committed `Fixtures/weights/hf-cache` in every run.
@Suite struct PythonInteropTests {
    static let python = ProcessInfo.processInfo.environment["SWIFTVIT_INTEROP_PYTHON"]

    @Test(.enabled(if: python != nil, "set SWIFTVIT_INTEROP_PYTHON to a Python with transformers"))
    func pythonLoadsAModelWeDownloaded() async throws {
        let cache = TemporaryDirectory()
        for variant in ["f32", "sharded"] {
            let hub = try FakeHub(repository: "swiftvit/tiny-vit-\(variant)", files: FakeHub.files(of: WeightFixtures.tinyViT(variant)))
            _ = try await ModelRepository(environment: hub.environment(cache: cache.url)).resolve("swiftvit/tiny-vit-\(variant)")
        }
        let script = """
            import torch
            from huggingface_hub import hf_hub_download, snapshot_download, try_to_load_from_cache
            from transformers import ViTForImageClassification
            for variant in ["f32", "sharded"]:
                repo = "swiftvit/tiny-vit-" + variant
                path = hf_hub_download(repo, "config.json")
                snapshot = snapshot_download(repo)
                assert try_to_load_from_cache(repo, "preprocessor_config.json") is not None
                model = ViTForImageClassification.from_pretrained(repo)
                print(variant, model.config.id2label[0], float(model.classifier.bias.detach().double().sum()), snapshot)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.python))
        process.arguments = ["-c", script]
        var environment = ProcessInfo.processInfo.environment
        environment["HF_HUB_CACHE"] = cache.url.path
        environment["HF_HUB_OFFLINE"] = "1"
        environment["HF_HUB_DISABLE_TELEMETRY"] = "1"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        let bias = try Checkpoint.open(directory: WeightFixtures.tinyViT("f32")).tensor(named: "classifier.bias").scalars
        let sum = bias.reduce(0) { $0 + Double($1) }
        for variant in ["f32", "sharded"] {
            let line = text.split(separator: "\n").first { $0.hasPrefix("\(variant) cat ") }
            let printed = line.flatMap { Double($0.split(separator: " ")[2]) }
            #expect(printed.map { abs($0 - sum) < 1e-9 * abs(sum) } == true, "\(text)")
        }
    }
}
