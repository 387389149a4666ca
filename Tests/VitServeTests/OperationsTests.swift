import Foundation
import Testing

/// The operational surface: probes, metrics that move, graceful shutdown on SIGTERM, and access
/// control.
@Suite struct OperationsTests {
    static let photo = URL(fileURLWithPath: BackPressureTests.photo)

    @Test func healthReadyAndMetricsAnswer() async throws {
        let server = try await ServerProcess(["--max-batch", "4"])
        #expect(try await server.get("/health").json["status"] as? String == "alive")
        #expect(try await server.get("/ready").json["status"] as? String == "ready")
        let metrics = try await server.get("/metrics")
        #expect(metrics.status == 200 && metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
        for name in ["vit_serve_ready 1.0", "vit_serve_queue_depth 0.0", "# TYPE vit_serve_batch_size histogram",
                     "# TYPE vit_serve_images_per_second gauge", #"vit_serve_batch_size_bucket{le="4.0"}"#] {
            #expect(metrics.text.contains(name), "\(name) missing")
        }
    }

    @Test func metricsCountRequestsImagesAndBatches() async throws {
        let server = try await ServerProcess([])
        let ok = #"vit_serve_requests_total{route="/v1/classify",status="200"}"#
        let bad = #"vit_serve_requests_total{route="/v1/classify",status="422"}"#
        #expect(try await server.metric(ok) == 0)
        #expect(try await server.metric("vit_serve_images_total") == 0)
        let photo = try Data(contentsOf: Self.photo)
        for _ in 0..<3 { #expect(try await server.classify(photo).status == 200) }
        #expect(try await server.classify(Data("nope".utf8)).status == 422)
        #expect(try await server.metric(ok) == 3)
        #expect(try await server.metric(bad) == 1)
        #expect(try await server.metric("vit_serve_images_total") == 3)
        #expect(try await server.metric("vit_serve_batch_size_count") == 3)
        #expect(try await server.metric(#"vit_serve_request_duration_seconds_count{route="/v1/classify"}"#) == 4)
        #expect(try await server.metric("vit_serve_images_per_second") > 0)
    }

    @Test func sigtermFinishesRequestsInFlightThenExitsZero() async throws {
        // Batches wait up to 1.5 s to fill, so the requests are still queued when SIGTERM comes.
        let server = try await ServerProcess(["--max-batch", "8", "--max-wait-ms", "1500"])
        let photo = try Data(contentsOf: Self.photo)
        let inFlight = (0..<3).map { _ in Task { try await server.classify(photo) } }
        try await server.eventually("three images wait") { try await server.metric("vit_serve_queue_depth") == 3 }
        let status = try await server.stop(with: SIGTERM)
        for task in inFlight {
            let answer = try await task.value
            #expect(answer.status == 200 && JSONPrediction.list(in: answer.json)?.count == 5, "\(answer.text)")
        }
        #expect(status == 0, "\(server.standardError)")
        #expect(server.standardError.contains("classification queue drained"))
        // Nothing listens any more.
        await #expect(throws: (any Error).self) { _ = try await server.get("/health") }
    }

    @Test func anAPIKeyIsRequiredOnEveryRouteButTheProbes() async throws {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("vit-serve-key-\(UUID())")
        try "s3cret-token\n".write(to: keyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        let server = try await ServerProcess(["--api-key-file", keyFile.path])
        let photo = try Data(contentsOf: Self.photo)
        let refused = try await server.classify(photo)
        #expect(refused.status == 401 && refused.header("WWW-Authenticate") == "Bearer", "\(refused.text)")
        #expect(try await server.classify(photo, headers: ["Authorization": "Bearer wrong-token"]).status == 401)
        #expect(try await server.classify(photo, headers: ["Authorization": "Bearer s3cret-token"]).status == 200)
        #expect(try await server.get("/metrics").status == 401)
        #expect(try await server.get("/health").status == 200)
        #expect(try await server.get("/ready").status == 200)
    }

    @Test func aNonLoopbackAddressNeedsAKeyOrInsecure() throws {
        let (status, message) = try runRefused(["--model", ServerProcess.tinyModel, "--host", "0.0.0.0"])
        #expect(status == 2 && message.contains("--api-key-file") && message.contains("--insecure"), "\(message)")
        let (missing, why) = try runRefused(["--model", ServerProcess.tinyModel, "--api-key-file", "/nonexistent/key"])
        #expect(missing == 2 && why.contains("/nonexistent/key"), "\(why)")
    }

    @Test func aModelThatCannotBeLoadedStopsTheServerWithStatus2() async throws {
        let (status, message) = try runRefused(["--model", "/nonexistent/model", "--port", "0"])
        #expect(status == 2 && message.contains("/nonexistent/model"), "\(message)")
    }
}
