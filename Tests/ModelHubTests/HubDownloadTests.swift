import Foundation
import Testing
@testable import ModelHub
import Checkpoints
import TestSupport

/// The downloader against a local server that answers like the Hub (no real network).
@Suite struct HubDownloadTests {
    let cache = TemporaryDirectory()

    private func tinyViT(_ variant: String = "f32", options: FakeHub.Options = .init(), dropping: Set<String> = [])
        throws -> FakeHub {
        try FakeHub(files: FakeHub.files(of: WeightFixtures.tinyViT(variant)).filter { !dropping.contains($0.key) }, options: options)
    }

    private func repositoryDirectory(_ hub: FakeHub) -> URL {
        cache.url.appendingPathComponent("models--swiftvit--tiny-vit")
    }

    @Test func downloadsIntoTheHuggingFaceCacheLayout() async throws {
        let hub = try tinyViT()
        let progress = Collector<DownloadProgress>()
        let repository = ModelRepository(environment: hub.environment(cache: cache.url, token: "hf_secret"))
        let files = try await repository.resolve("swiftvit/tiny-vit") { progress.append($0) }

        #expect(files.source == .download(commit: hub.commit))
        let repo = repositoryDirectory(hub)
        #expect(try String(contentsOf: repo.appendingPathComponent("refs/main"), encoding: .utf8) == hub.commit)
        let snapshot = repo.appendingPathComponent("snapshots/\(hub.commit)")
        #expect(files.directory.standardizedFileURL == snapshot.standardizedFileURL)
        for name in ["config.json", "preprocessor_config.json", "model.safetensors"] {
            // Relative symlinks into blobs/, named by the (normalised) ETag, holding the exact bytes.
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent(name).path)
            #expect(link == "../../blobs/\(hub.etag(of: name))")
            #expect(Array(try Data(contentsOf: snapshot.appendingPathComponent(name))) == hub.files[name])
        }
        #expect(FileManager.default.fileExists(atPath: cache.file("CACHEDIR.TAG").path))
        #expect(!cache.allPaths().contains { $0.hasSuffix(".incomplete") })

        // The model loads from there.
        let checkpoint = try files.openCheckpoint()
        let original = try Checkpoint.open(directory: WeightFixtures.tinyViT("f32"))
        #expect(try checkpoint.tensor(named: "classifier.weight").scalars == original.tensor(named: "classifier.weight").scalars)
        #expect(try Data(contentsOf: files.configuration) == Data(contentsOf: WeightFixtures.tinyViT("f32").appendingPathComponent("config.json")))

        // Progress reached the full size of the weights.
        let size = Int64(hub.files["model.safetensors"]!.count)
        let weightReports = progress.values.filter { $0.file == "model.safetensors" }
        #expect(weightReports.last == DownloadProgress(file: "model.safetensors", completedBytes: size, totalBytes: size))
        #expect(weightReports.map(\.completedBytes) == weightReports.map(\.completedBytes).sorted())

        // HEAD then GET on the Hub; the safetensors HEAD stops at the 302 and the content comes
        // from the CDN, through its second redirect.
        let hubRequests = hub.hub.requests.map { "\($0.method) \($0.path)" }
        #expect(hubRequests == [
            "HEAD /swiftvit/tiny-vit/resolve/main/config.json",
            "GET /swiftvit/tiny-vit/resolve/main/config.json",
            "HEAD /swiftvit/tiny-vit/resolve/\(hub.commit)/preprocessor_config.json",
            "GET /swiftvit/tiny-vit/resolve/\(hub.commit)/preprocessor_config.json",
            "HEAD /swiftvit/tiny-vit/resolve/\(hub.commit)/model.safetensors",
        ])
        let cdnPaths = hub.cdn.requests.map { $0.path.split(separator: "?")[0] }
        #expect(cdnPaths == ["/cas/\(hub.etag(of: "model.safetensors"))", "/signed/\(hub.etag(of: "model.safetensors"))"])
        // The token goes to the Hub, never to the CDN; no compressed transfer is asked for.
        #expect(hub.hub.requests.allSatisfy { $0.headers["authorization"] == "Bearer hf_secret" })
        #expect(hub.cdn.requests.allSatisfy { $0.headers["authorization"] == nil })
        #expect(hub.hub.requests.allSatisfy { $0.headers["accept-encoding"] == "identity" })

        // Resolving again uses the cache only.
        let again = try await repository.resolve("swiftvit/tiny-vit")
        #expect(again.source == .cache(commit: hub.commit))
        #expect(again.weights == files.weights)
        #expect(hub.hub.requests.count == hubRequests.count)
    }

    @Test func blobsAlreadyPresentAreLinkedNotDownloaded() async throws {
        let hub = try tinyViT()
        let downloader = HubDownloader(endpoint: hub.hub.url)
        let repositoryID = try #require(RepositoryID("swiftvit/tiny-vit"))
        let cacheModel = HuggingFaceCache(root: cache.url)
        let first = try #require(try await downloader.fetch("config.json", from: repositoryID, revision: "main", into: cacheModel))
        #expect(first.wasDownloaded && first.commit == hub.commit)
        // Remove the snapshot link: the blob is reused, only metadata is requested.
        try FileManager.default.removeItem(at: first.url)
        let second = try #require(try await downloader.fetch("config.json", from: repositoryID, revision: "main", into: cacheModel))
        #expect(!second.wasDownloaded && second.url == first.url)
        #expect(hub.hub.requests.map(\.method) == ["HEAD", "GET", "HEAD"])
    }

    @Test func shardedRepositoryFallsBackToTheIndex() async throws {
        let hub = try tinyViT("sharded")
        let repository = ModelRepository(environment: hub.environment(cache: cache.url))
        let files = try await repository.resolve("swiftvit/tiny-vit")
        #expect(files.shardIndex?.lastPathComponent == "model.safetensors.index.json")
        #expect(files.weights.map(\.lastPathComponent) == WeightFixtures.expected.variants["sharded"]!.files)
        // The 404 for model.safetensors is remembered, as huggingface_hub does.
        #expect(FileManager.default.fileExists(
            atPath: repositoryDirectory(hub).appendingPathComponent(".no_exist/\(hub.commit)/model.safetensors").path))
        let checkpoint = try files.openCheckpoint()
        #expect(checkpoint.files.count == 3)
        // Offline, the cached sharded model resolves completely.
        let offline = ModelRepository(environment: hub.environment(cache: cache.url, offline: true))
        #expect(try await offline.resolve("swiftvit/tiny-vit").source == .cache(commit: hub.commit))
    }

    @Test func missingRequiredFileIs404() async throws {
        let hub = try tinyViT(dropping: ["preprocessor_config.json"])
        let repository = ModelRepository(environment: hub.environment(cache: cache.url))
        await expectError(ModelRepositoryError.missingFile(location: "swiftvit/tiny-vit (revision main)", file: "preprocessor_config.json")) {
            _ = try await repository.resolve("swiftvit/tiny-vit")
        }
    }

    @Test func pickleOnlyRepositoryIsRefusedWithoutDownloadingThePickle() async throws {
        let hub = try tinyViT("pickle-only")
        let repository = ModelRepository(environment: hub.environment(cache: cache.url))
        await expectError(ModelRepositoryError.pickleWeightsOnly(location: "swiftvit/tiny-vit (revision main)", file: "pytorch_model.bin")) {
            _ = try await repository.resolve("swiftvit/tiny-vit")
        }
        #expect(!hub.hub.requests.contains { $0.method == "GET" && $0.path.hasSuffix("pytorch_model.bin") })
        // Once the cache knows, offline resolution gives the same answer without the network.
        let snapshot = repositoryDirectory(hub).appendingPathComponent("snapshots/\(hub.commit)/pytorch_model.bin")
        try Data().write(to: snapshot)
        let offline = ModelRepository(environment: hub.environment(cache: cache.url, offline: true))
        let before = hub.hub.requests.count
        await expectError(ModelRepositoryError.pickleWeightsOnly(location: "swiftvit/tiny-vit (revision main)", file: "pytorch_model.bin")) {
            _ = try await offline.resolve("swiftvit/tiny-vit")
        }
        #expect(hub.hub.requests.count == before)
    }

    @Test func connectionDroppedHalfwayLeavesNothingInTheCache() async throws {
        let size = try Data(contentsOf: WeightFixtures.tinyViT("f32").appendingPathComponent("model.safetensors")).count
        let hub = try tinyViT(options: .init(dropLargeFilesAfter: size / 2))
        let repository = ModelRepository(environment: hub.environment(cache: cache.url))
        do {
            _ = try await repository.resolve("swiftvit/tiny-vit")
            Issue.record("a truncated download succeeded")
        } catch let error as ModelRepositoryError {
            switch error {
            case .network, .incompleteDownload: break
            default: Issue.record("unexpected \(error)")
            }
        }
        let blobs = try FileManager.default.contentsOfDirectory(atPath: repositoryDirectory(hub).appendingPathComponent("blobs").path)
        #expect(!blobs.contains(hub.etag(of: "model.safetensors")))
        #expect(!blobs.contains { $0.hasSuffix(".incomplete") })
        #expect(!FileManager.default.fileExists(
            atPath: repositoryDirectory(hub).appendingPathComponent("snapshots/\(hub.commit)/model.safetensors").path))
    }

    @Test func cancellingStopsTheDownloadAndCleansUp() async throws {
        let hub = try tinyViT(options: .init(stallLargeFilesAfter: 1000))
        let repository = ModelRepository(environment: hub.environment(cache: cache.url))
        let task = Task { try await repository.resolve("swiftvit/tiny-vit") }
        // Wait until the CDN is serving the (stalled) body (generously: CI machines can be loaded).
        let deadline = ContinuousClock.now + .seconds(30)
        while hub.cdn.requests.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        // Cancelled before any blob was stored, the folder may not exist at all: nothing was left either way.
        let blobsPath = repositoryDirectory(hub).appendingPathComponent("blobs").path
        let blobs = (try? FileManager.default.contentsOfDirectory(atPath: blobsPath)) ?? []
        #expect(!blobs.contains { $0.hasSuffix(".incomplete") || $0 == hub.etag(of: "model.safetensors") })
    }

    @Test func offlineModeNeverTouchesTheNetwork() async throws {
        let hub = try tinyViT()
        let repository = ModelRepository(environment: hub.environment(cache: cache.url, offline: true))
        await expectError(ModelRepositoryError.notCached(repository: "swiftvit/tiny-vit", revision: "main",
                                                         cache: cache.url.path, file: "config.json")) {
            _ = try await repository.resolve("swiftvit/tiny-vit")
        }
        #expect(hub.hub.requests.isEmpty && hub.cdn.requests.isEmpty)
        #expect(ModelRepositoryError.notCached(repository: "r", revision: "main", cache: "/c", file: "config.json")
            .description.contains("HF_HUB_OFFLINE"))
    }

    @Test func gatedRepositoryNeedsAToken() async throws {
        let hub = try tinyViT(options: .init(requiredToken: "hf_right"))
        await expectError(ModelRepositoryError.unauthorized(repository: "swiftvit/tiny-vit", status: 403, tokenSent: false)) {
            _ = try await ModelRepository(environment: hub.environment(cache: cache.url)).resolve("swiftvit/tiny-vit")
        }
        await expectError(ModelRepositoryError.unauthorized(repository: "swiftvit/tiny-vit", status: 403, tokenSent: true)) {
            _ = try await ModelRepository(environment: hub.environment(cache: cache.url, token: "hf_wrong")).resolve("swiftvit/tiny-vit")
        }
        let files = try await ModelRepository(environment: hub.environment(cache: cache.url, token: "hf_right")).resolve("swiftvit/tiny-vit")
        #expect(files.source == .download(commit: hub.commit))
    }

    @Test func unknownRepositoryAndRevision() async throws {
        let hub = try tinyViT()
        let repository = ModelRepository(environment: hub.environment(cache: cache.url))
        await expectError(ModelRepositoryError.repositoryNotFound(repository: "nobody/nothing", status: 401)) {
            _ = try await repository.resolve("nobody/nothing")
        }
        await expectError(ModelRepositoryError.revisionNotFound(repository: "swiftvit/tiny-vit", revision: "v9")) {
            _ = try await repository.resolve("swiftvit/tiny-vit", revision: "v9")
        }
    }

    @Test func commitHashRevisionNeedsNoRef() async throws {
        let hub = try tinyViT()
        let repository = ModelRepository(environment: hub.environment(cache: cache.url))
        let files = try await repository.resolve("swiftvit/tiny-vit", revision: hub.commit)
        #expect(files.source == .download(commit: hub.commit))
        #expect(!FileManager.default.fileExists(atPath: repositoryDirectory(hub).appendingPathComponent("refs").path))
        // Cached under the commit: resolvable offline by that commit, not by "main".
        let offline = ModelRepository(environment: hub.environment(cache: cache.url, offline: true))
        #expect(try await offline.resolve("swiftvit/tiny-vit", revision: hub.commit).source == .cache(commit: hub.commit))
        await expectError(ModelRepositoryError.notCached(repository: "swiftvit/tiny-vit", revision: "main",
                                                         cache: cache.url.path, file: "config.json")) {
            _ = try await offline.resolve("swiftvit/tiny-vit")
        }
    }

    @Test func answersThatAreNotFromAHub() async throws {
        let plain = try TestHTTPServer { _ in TestHTTPServer.Response(status: 200, body: Array("{}".utf8)) }
        let environment = ["HF_HUB_CACHE": cache.url.path, "HF_ENDPOINT": plain.url.absoluteString, "HF_HUB_ETAG_TIMEOUT": "5"]
        await expectError(ModelRepositoryError.notAHubEndpoint(url: "\(plain.url.absoluteString)/a/b/resolve/main/config.json",
                                                               reason: "no X-Repo-Commit header")) {
            _ = try await ModelRepository(environment: environment).resolve("a/b")
        }
        // A hostile ETag must not become a path outside blobs/.
        let hub = try tinyViT(options: .init(etagOverride: "../../../../escape"))
        await expectError(ModelRepositoryError.notAHubEndpoint(url: "\(hub.hub.url.absoluteString)/swiftvit/tiny-vit/resolve/main/config.json",
                                                               reason: "ETag \"\"../../../../escape\"\" cannot name a blob")) {
            _ = try await ModelRepository(environment: hub.environment(cache: cache.url)).resolve("swiftvit/tiny-vit")
        }
        #expect(!cache.allPaths().contains { $0.contains("escape") })
    }

    @Test func unreachableEndpoint() async throws {
        let closed = try TestHTTPServer { _ in .status(200) }
        let url = closed.url
        closed.stop()
        let environment = ["HF_HUB_CACHE": cache.url.path, "HF_ENDPOINT": url.absoluteString, "HF_HUB_ETAG_TIMEOUT": "5"]
        do {
            _ = try await ModelRepository(environment: environment).resolve("a/b")
            Issue.record("no error")
        } catch let error as ModelRepositoryError {
            guard case .network(let failing, _) = error else { Issue.record("\(error)"); return }
            #expect(failing == "\(url.absoluteString)/a/b/resolve/main/config.json")
        }
    }
}
