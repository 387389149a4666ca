import Foundation
import Testing
import TestSupport

/// Overload answered early and cheaply: a full queue and a full in-flight limit give 503 with
/// `Retry-After`, a slow request gives 504, and the queue never grows past its capacity.
@Suite struct BackPressureTests {
    static let photo = PackageRoot.fixtures.appendingPathComponent("images/photos/coffee.jpg").path

    @Test func aFullQueueAnswers503WithRetryAfter() async throws {
        // Batches of 8 that wait up to 3 s to fill: two requests wait, the third finds the queue full.
        let server = try await ServerProcess(["--max-batch", "8", "--max-wait-ms", "3000", "--max-queue", "2"])
        let photo = try Data(contentsOf: URL(fileURLWithPath: Self.photo))
        let waiting = (0..<2).map { _ in Task { try await server.classify(photo) } }
        try await server.eventually("two images wait") { try await server.metric("vit_serve_queue_depth") == 2 }
        let refused = try await server.classify(photo)
        #expect(refused.status == 503, "\(refused.text)")
        #expect((refused.json["error"] as? String)?.contains("queue is full") == true, "\(refused.text)")
        #expect(Int(refused.header("Retry-After") ?? "") ?? 0 >= 1)
        for task in waiting { #expect(try await task.value.status == 200) }
        #expect(try await server.metric(#"vit_serve_requests_total{route="/v1/classify",status="503"}"#) == 1)
    }

    @Test func requestsOverTheInFlightLimitAreRefusedBeforeTheirBodyIsRead() async throws {
        // In flight at most --max-queue + --max-batch = 2 requests; two stalled uploads hold both.
        let server = try await ServerProcess(["--max-batch", "1", "--max-queue", "1"])
        let stalled = try (0..<2).map { _ in try RawConnection(port: server.port) }
        for connection in stalled {
            connection.send("POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n\u{FF}\u{D8}")
        }
        try await server.eventually("both uploads are admitted") {
            try await server.metric("vit_serve_requests_in_flight") == 2
        }
        let answer = try await server.classify(try Data(contentsOf: URL(fileURLWithPath: Self.photo)))
        #expect(answer.status == 503 && answer.text.contains("limit of 2 requests"), "\(answer.text)")
        #expect(Int(answer.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(try await server.get("/health").status == 200)
        withExtendedLifetime(stalled) {}    // the uploads stay open until here
    }

    @Test func aRequestOverTheTimeoutAnswers504AndLeavesTheQueue() async throws {
        let server = try await ServerProcess(["--max-batch", "8", "--max-wait-ms", "5000", "--request-timeout", "0.3"])
        let start = ContinuousClock.now
        let answer = try await server.classify(try Data(contentsOf: URL(fileURLWithPath: Self.photo)))
        #expect(answer.status == 504, "\(answer.text)")
        #expect((answer.json["error"] as? String)?.contains("request timeout of 0.3 s") == true)
        #expect(ContinuousClock.now - start < .seconds(4))
        #expect(try await server.metric("vit_serve_queue_depth") == 0)
    }
}
