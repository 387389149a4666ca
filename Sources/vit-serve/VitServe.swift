import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import SwiftViT

/// `vit-serve [options]`: labels images over HTTP with a Vision Transformer.
struct VitServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vit-serve",
        abstract: "Label images over HTTP with a Vision Transformer, batching concurrent requests.",
        discussion: """
        POST /v1/classify?top_k=K with the image bytes (JPEG or PNG) as the body, or multipart/form-data with \
        several files; answers vit-classify's JSON record ({"predictions":[{"label","index","score","logit"}]}). \
        GET /health, /ready and /metrics (Prometheus) are the operational endpoints. SIGTERM or SIGINT stops \
        taking connections, answers the requests in flight and exits 0.

        The model is a Hugging Face Hub id (found in the Hugging Face cache, or downloaded into it) or a local \
        folder, as for vit-classify. Bound to a non-loopback address, the server needs --api-key-file (clients \
        send "Authorization: Bearer KEY") or an explicit --insecure.
        """)

    @Option(help: ArgumentHelp("A Hugging Face Hub id or a local model folder.", valueName: "id-or-dir"))
    var model: String = ModelRepository.defaultModel

    @Option(help: "The Hub revision (branch, tag or commit).")
    var revision: String = "main"

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The TCP port (0 picks a free one; the port is printed as \"listening on HOST:PORT\").")
    var port: Int = 8080

    @Option(help: "The most images in one forward pass.")
    var maxBatch: Int = 8

    @Option(help: ArgumentHelp("How long the first image of a batch waits for others, in milliseconds.",
                               valueName: "ms"))
    var maxWaitMs: Double = 5

    @Option(help: "The most images waiting for a forward pass; beyond it requests get 503 with Retry-After.")
    var maxQueue: Int = 64

    @Option(help: ArgumentHelp("Compute threads for the network (default: one per core).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("The largest request body, in bytes (413 beyond it).", valueName: "bytes"))
    var maxBodyBytes: Int = 16 << 20

    @Option(help: ArgumentHelp("The most pixels an image may declare (422 beyond it, before decoding).",
                               valueName: "pixels"))
    var maxPixels: Int = 24_000_000

    @Option(help: ArgumentHelp("Seconds a request may take, queueing included (504 beyond it; 503 at once when "
                               + "the work ahead of it would take longer).", valueName: "seconds"))
    var requestTimeout: Double = 30

    @Option(help: ArgumentHelp("A file holding the bearer token clients must send.", valueName: "file"))
    var apiKeyFile: String?

    @Flag(help: "Allow a non-loopback --host without --api-key-file.")
    var insecure = false

    @Option(help: ArgumentHelp("float32 (default) or bfloat16 weights, as for vit-classify.", valueName: "precision"))
    var weightPrecision: WeightPrecision = .float32

    func validate() throws {
        for (name, value) in [("--max-batch", maxBatch), ("--max-queue", maxQueue), ("--max-body-bytes", maxBodyBytes),
                              ("--max-pixels", maxPixels)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxWaitMs >= 0, maxWaitMs.isFinite else { throw ValidationError("--max-wait-ms must not be negative") }
        guard requestTimeout > 0, requestTimeout.isFinite else { throw ValidationError("--request-timeout must be positive") }
        if apiKeyFile == nil, !insecure, !ListenAddress.isLoopback(host) {
            throw ValidationError("--host \(host) is reachable from other machines: give --api-key-file FILE "
                                  + "(clients then send \"Authorization: Bearer KEY\"), or --insecure to serve without one")
        }
    }

    /// Runs the server until SIGTERM/SIGINT.
    func serve() async throws {
        let key = try apiKeyFile.map { path throws(UsageError) in try APIKey(contentsOf: path) }
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "vit-serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let slot = ClassifierSlot(), metrics = ServerMetrics(maximumBatchSize: maxBatch)
        let limits = ClassifyEndpoint.Limits(maximumBodyBytes: maxBodyBytes, requestTimeoutSeconds: requestTimeout,
                                             maximumBatchSize: maxBatch, queueCapacity: maxQueue)
        // Requests in flight: a full queue plus the batch running; bodies held ≤ this × --max-body-bytes.
        let endpoint = ClassifyEndpoint(slot: slot, gate: AdmissionGate(limit: maxQueue + maxBatch),
                                        metrics: metrics, limits: limits)
        let application = Application(
            router: Routes.router(endpoint: endpoint, key: key),
            server: .http1(configuration: HTTP1Channel.Configuration(additionalChannelHandlers: [], idleTimeout: .seconds(75))),
            configuration: .init(address: .hostname(host, port: port), serverName: "vit-serve"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? port
                FileHandle.standardOutput.write(Data("listening on \(host):\(port)\n".utf8))
            },
            logger: logger)
        let classifier = ClassifierService(
            model: model,
            options: ImageClassifier.Options(threads: threads, batchSize: maxBatch, maximumPixelCount: maxPixels,
                                             revision: revision, weightPrecision: weightPrecision),
            queueConfiguration: .init(maximumBatchSize: maxBatch, maximumWait: .inSeconds(maxWaitMs / 1000),
                                      capacity: maxQueue),
            slot: slot, metrics: metrics, logger: logger)
        // Shut down in reverse order: readiness off, then the HTTP server drains, then the queue.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: classifier), .init(service: application),
                       .init(service: ReadinessService(slot: slot, metrics: metrics, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// `--weight-precision float32|bfloat16`.
extension WeightPrecision: ExpressibleByArgument {}
