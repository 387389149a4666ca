import Foundation
import Testing
@testable import ModelHub
import Checkpoints
import TestSupport

/// Cache location rules, local folders, and a cache written by the real `huggingface_hub`.
@Suite struct ModelRepositoryTests {
    @Test func cacheLocationFollowsHuggingFaceHub() {
        let home = "/home/someone"
        func root(_ environment: [String: String]) -> String {
            HuggingFaceCache(environment: environment.merging(["HOME": home]) { a, _ in a }).root.path
        }
        #expect(root([:]) == "/home/someone/.cache/huggingface/hub")
        #expect(root(["XDG_CACHE_HOME": "/xdg"]) == "/xdg/huggingface/hub")
        #expect(root(["XDG_CACHE_HOME": "/xdg", "HF_HOME": "/hf"]) == "/hf/hub")
        #expect(root(["HF_HOME": "~/hf"]) == "/home/someone/hf/hub")
        #expect(root(["HF_HOME": "/hf", "HUGGINGFACE_HUB_CACHE": "/legacy"]) == "/legacy")
        #expect(root(["HF_HOME": "/hf", "HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HUB_CACHE": "/new"]) == "/new")
        #expect(root(["HF_HOME": ""]) == "/home/someone/.cache/huggingface/hub")
    }

    @Test func environmentConfiguresEndpointTokenAndOfflineMode() {
        let defaults = ModelRepository(environment: ["HOME": "/h"])
        #expect(defaults.downloader.endpoint == URL(string: "https://huggingface.co")!)
        #expect(defaults.downloader.token == nil && !defaults.isOffline)
        let configured = ModelRepository(environment: ["HOME": "/h", "HF_ENDPOINT": "https://mirror.example/", "HF_TOKEN": "hf_x",
                                                       "HF_HUB_OFFLINE": "yes", "HF_HUB_ETAG_TIMEOUT": "3"])
        #expect(configured.downloader.endpoint == URL(string: "https://mirror.example")!)
        #expect(configured.downloader.token == "hf_x" && configured.isOffline && configured.downloader.metadataTimeout == 3)
        for (value, offline) in [("1", true), ("ON", true), ("true", true), ("0", false), ("no", false)] {
            #expect(ModelRepository(environment: ["HF_HUB_OFFLINE": value]).isOffline == offline)
        }
        #expect(ModelRepository(environment: ["TRANSFORMERS_OFFLINE": "1"]).isOffline)
    }

    @Test func resolveURLsAndRepositoryIDs() throws {
        let downloader = HubDownloader(endpoint: URL(string: "https://huggingface.co")!)
        let id = try #require(RepositoryID("google/vit-base-patch16-224"))
        #expect(id.cacheFolderName == "models--google--vit-base-patch16-224")
        #expect(downloader.resolveURL(for: "config.json", in: id, revision: "main").absoluteString
            == "https://huggingface.co/google/vit-base-patch16-224/resolve/main/config.json")
        #expect(downloader.resolveURL(for: "sub dir/a.json", in: id, revision: "refs/pr/1").absoluteString
            == "https://huggingface.co/google/vit-base-patch16-224/resolve/refs%2Fpr%2F1/sub%20dir/a.json")
        for valid in ["gpt2", "google/vit-base-patch16-224", "a_b/c.d-e", "Org/Model_1"] { #expect(RepositoryID(valid) != nil, "\(valid)") }
        for invalid in ["", "a/b/c", "a--b/c", "a/../b", "-a/b", "a/b.", "a/b.git", "a b/c", "/a", "a/",
                        String(repeating: "x", count: 97)] {
            #expect(RepositoryID(invalid) == nil, "\(invalid)")
        }
        #expect(HubDownloader.normalizeETag("W/\"abc\"") == "abc")
        #expect(HubDownloader.normalizeETag("\"abc\"") == "abc")
    }

    @Test func localFolderResolves() async throws {
        let repository = ModelRepository(environment: ["HF_HUB_CACHE": "/nonexistent", "HF_HUB_OFFLINE": "1"])
        let files = try await repository.resolve(WeightFixtures.tinyViT("f32").path)
        #expect(files.source == .localDirectory && files.commit == nil)
        #expect(files.weights.map(\.lastPathComponent) == ["model.safetensors"] && files.shardIndex == nil)
        #expect(try files.openCheckpoint().tensorNames.count == WeightFixtures.expected.variants["f32"]!.tensors.count)
        let sharded = try await repository.resolve(WeightFixtures.tinyViT("sharded").path)
        #expect(sharded.weights.count == 3 && sharded.shardIndex != nil)
    }

    @Test func localFolderProblems() async throws {
        let repository = ModelRepository(environment: ["HF_HUB_CACHE": "/nonexistent", "HF_HUB_OFFLINE": "1"])
        let pickle = WeightFixtures.tinyViT("pickle-only").path
        await expectError(ModelRepositoryError.pickleWeightsOnly(location: pickle, file: "pytorch_model.bin")) {
            _ = try await repository.resolve(pickle)
        }
        let empty = TemporaryDirectory()
        await expectError(ModelRepositoryError.missingFile(location: empty.url.path, file: "config.json")) {
            _ = try await repository.resolve(empty.url.path)
        }
        try FileManager.default.copyItem(at: WeightFixtures.tinyViT("f32").appendingPathComponent("config.json"), to: empty.file("config.json"))
        try FileManager.default.copyItem(at: WeightFixtures.tinyViT("f32").appendingPathComponent("preprocessor_config.json"),
                                         to: empty.file("preprocessor_config.json"))
        await expectError(ModelRepositoryError.noWeights(location: empty.url.path)) { _ = try await repository.resolve(empty.url.path) }
        await expectError(ModelRepositoryError.directoryNotFound(path: "/no/such/model")) { _ = try await repository.resolve("/no/such/model") }
        await expectError(ModelRepositoryError.directoryNotFound(path: empty.file("config.json").path)) {
            _ = try await repository.resolve(empty.file("config.json").path)
        }
        await expectError(ModelRepositoryError.invalidIdentifier("not a/valid id")) { _ = try await repository.resolve("not a/valid id") }
        await expectError(ModelRepositoryError.invalidRevision("../main")) { _ = try await repository.resolve("a/b", revision: "../main") }
    }

    /// `Fixtures/weights/hf-cache` was written by huggingface_hub 2.4 (through transformers'
    /// `from_pretrained`): a model Python downloaded is used as is, offline.
    @Test func modelDownloadedByPythonIsReused() async throws {
        let repository = ModelRepository(environment: ["HF_HUB_CACHE": WeightFixtures.hfCache.path, "HF_HUB_OFFLINE": "1"])
        let commit = WeightFixtures.expected.commit
        let files = try await repository.resolve(WeightFixtures.expected.repo_id)
        #expect(files.source == .cache(commit: commit))
        #expect(files.directory.path.hasSuffix("models--swiftvit--tiny-vit/snapshots/\(commit)"))
        let checkpoint = try files.openCheckpoint()
        let original = try Checkpoint.open(directory: WeightFixtures.tinyViT("f32"))
        #expect(checkpoint.tensorNames == original.tensorNames)
        for name in original.tensorNames {
            #expect(try checkpoint.tensor(named: name).scalars == original.tensor(named: name).scalars)
        }
        // By commit hash too, and its .no_exist marker is understood.
        #expect(try await repository.resolve(WeightFixtures.expected.repo_id, revision: commit).source == .cache(commit: commit))
        let id = try #require(RepositoryID(WeightFixtures.expected.repo_id))
        #expect(repository.cache.isMarkedMissing("processor_config.json", in: id, commit: commit))
        // Online, a complete cache is still used without any request (the endpoint is unreachable).
        let online = ModelRepository(environment: ["HF_HUB_CACHE": WeightFixtures.hfCache.path, "HF_ENDPOINT": "http://127.0.0.1:9"])
        #expect(try await online.resolve(WeightFixtures.expected.repo_id).source == .cache(commit: commit))
    }

    @Test func cacheRefsAndSymlinksAreWrittenLikeHuggingFaceHub() throws {
        let directory = TemporaryDirectory()
        let cache = HuggingFaceCache(root: directory.url)
        let id = try #require(RepositoryID("org/model"))
        let commit = String(repeating: "0123456789", count: 4)
        try cache.recordRevision("refs/pr/1", commit: commit, in: id)
        #expect(try String(contentsOf: directory.file("models--org--model/refs/refs/pr/1"), encoding: .utf8) == commit)
        #expect(cache.commit(forRevision: "refs/pr/1", in: id) == commit)
        try cache.linkSnapshotFile("sub/file.json", in: id, commit: commit, etag: "e1")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.file("models--org--model/snapshots/\(commit)/sub/file.json").path)
            == "../../../blobs/e1")
        // The link dangles until the blob exists.
        #expect(cache.cachedFile("sub/file.json", in: id, commit: commit) == nil)
        try FileManager.default.createDirectory(at: cache.blobURL(id, etag: "e1").deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: cache.blobURL(id, etag: "e1"))
        #expect(cache.cachedFile("sub/file.json", in: id, commit: commit) != nil)
        try cache.tagCacheDirectory()
        #expect(try String(contentsOf: directory.file("CACHEDIR.TAG"), encoding: .utf8)
            == String(contentsOf: WeightFixtures.hfCache.appendingPathComponent("CACHEDIR.TAG"), encoding: .utf8))
    }
}
