import Foundation
import Synchronization
import Testing
import SwiftViT

/// The async API: coalescing concurrent calls into batches, its bounds (capacity, cancellation,
/// shutdown), bad images failing alone, and results identical to the synchronous calls.
@Suite struct ClassificationQueueTests {
    static let tinyModel = "tiny/f32"

    /// The reference images of a fixture model, as inputs.
    static func referenceInputs(_ model: String = tinyModel) throws -> [ImageInput] {
        let (references, _) = try ImageClassifierTests.references(model)
        return references.images.map { .file(ImageClassifierTests.fixtures.appendingPathComponent($0)) }
    }

    /// The batch sizes a queue ran, in order, and the names of the threads it ran them on.
    final class BatchLog: Sendable {
        private let reports = Mutex<[(size: Int, thread: String)]>([])
        var sizes: [Int] { reports.withLock { $0.map(\.size) } }
        var threads: Set<String> { reports.withLock { Set($0.map(\.thread)) } }

        func observer() -> @Sendable (ClassificationQueue.BatchReport) -> Void {
            { report in
                // The kernel's name for the thread (Foundation's `Thread.current.name` can report a
                // stale one for threads it did not name itself).
                let thread = ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                self.reports.withLock { $0.append((report.imageCount, thread)) }
            }
        }
    }

    /// Waits (polling, at most 10 s) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// A classifier of `model` with batch size `batch`, a queue that batches up to `batch`
    /// images and waits `wait` for a batch to fill, and the log of its batches.
    static func queue(_ model: String = tinyModel, batch: Int, wait: Duration, capacity: Int = 256) throws
        -> (ImageClassifier, ClassificationQueue, BatchLog) {
        let classifier = try ImageClassifierTests.classifier(model, batchSize: batch)
        let log = BatchLog()
        let queue = try ClassificationQueue(classifier: classifier, configuration: .init(
            maximumBatchSize: batch, maximumWait: wait, capacity: capacity, batchObserver: log.observer()))
        return (classifier, queue, log)
    }

    /// The queue error `body` throws, or `nil` if it returns (or throws something else).
    static func error(of body: () async throws -> Void) async -> ClassificationQueueError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? ClassificationQueueError
        }
    }

    /// Starts one call per input, each only once the previous one is waiting, so the queue
    /// holds them in input order. (A call that fills a batch starts it, so that one is not
    /// waited for.)
    static func startInOrder(_ inputs: [ImageInput], on queue: ClassificationQueue, topK: Int = 5)
        async throws -> [Task<[Classification], any Error>] {
        var tasks: [Task<[Classification], any Error>] = []
        for (offset, input) in inputs.enumerated() {
            tasks.append(Task { try await queue.classify(input, topK: topK) })
            if offset + 1 < queue.configuration.maximumBatchSize {
                try await eventually { queue.waitingCount == offset + 1 }
            }
        }
        return tasks
    }

    @Test func aLoneCallGivesTheSynchronousResultBitForBit() async throws {
        let classifier = try ImageClassifierTests.classifier(Self.tinyModel)
        let (references, _) = try ImageClassifierTests.references(Self.tinyModel)
        for (image, input) in try Self.referenceInputs().enumerated() {
            let labels = try await classifier.classify(input, topK: 5)
            #expect(labels == (try classifier.classify([input], topK: 5)[0].get()))
            #expect(labels.map(\.index) == references.top5[image])
        }
    }

    @Test func concurrentCallsShareOneBatchWithTheSynchronousBatchResults() async throws {
        // A wait far longer than the test: only a full batch starts a pass.
        let (classifier, queue, log) = try Self.queue(batch: 4, wait: .seconds(60))
        let inputs = Array(try Self.referenceInputs().prefix(4))
        let tasks = try await Self.startInOrder(inputs, on: queue, topK: 3)
        let synchronous = try classifier.classify(inputs, topK: 3)
        for (task, expected) in zip(tasks, synchronous) {
            #expect(try await task.value == expected.get())
        }
        #expect(log.sizes == [4])
        // The pass ran on the queue's thread, not on one of Swift's cooperative threads.
        #expect(log.threads == ["vit-batching"])
    }

    @Test func coalescedResultsAreBitIdenticalToSingleImageCalls() async throws {
        // The network sums every product in one fixed order whatever the batch, so an image's
        // labels do not depend on the callers it was batched with.
        let inputs = try Self.referenceInputs("vit-b16-1layer-f16")
        let (classifier, queue, log) = try Self.queue("vit-b16-1layer-f16", batch: inputs.count, wait: .seconds(60))
        let tasks = try await Self.startInOrder(inputs, on: queue)
        for (task, input) in zip(tasks, inputs) {
            let batched = try await task.value
            #expect(batched == (try classifier.classify([input])[0].get()), "\(input.name)")
        }
        #expect(log.sizes == [inputs.count])
    }

    @Test func aFullQueueRefusesAtOnceAndCancelledCallsLeaveIt() async throws {
        let (_, queue, _) = try Self.queue(batch: 4, wait: .seconds(60), capacity: 2)
        let input = try Self.referenceInputs()[0]
        let waiting = try await Self.startInOrder([input, input], on: queue)
        let refusal = await Self.error { _ = try await queue.classify(input) }
        guard case .queueFull(let capacity)? = refusal else { Issue.record("got \(String(describing: refusal))"); return }
        #expect(capacity == 2)
        // Both waiting calls are withdrawn by cancelling their tasks.
        for task in waiting { task.cancel() }
        for task in waiting {
            do {
                _ = try await task.value
                Issue.record("a cancelled call returned labels")
            } catch let error as ClassificationQueueError {
                guard case .cancelled = error else { Issue.record("got \(error)"); continue }
            }
        }
        #expect(queue.waitingCount == 0)
        // Several images as one call: all fit or none is queued.
        let three = await Self.error { _ = try await queue.classify([input, input, input]) }
        guard case .queueFull? = three else { Issue.record("got \(String(describing: three))"); return }
        #expect(queue.waitingCount == 0)
    }

    @Test func aBadImageFailsAloneInItsBatch() async throws {
        // One call's images are queued together, so they fill the batch whatever the wait.
        let (classifier, queue, log) = try Self.queue(batch: 4, wait: .milliseconds(20))
        let good = try Self.referenceInputs()[1]
        let bad = ImageInput.data(Data("not an image".utf8), name: "upload-2.png")
        let truncated = ImageInput.data(try Data(contentsOf: ImageClassifierTests.fixtures
            .appendingPathComponent("images/crafted/jpeg-truncated.jpg")), name: "upload-3.jpg")
        let results = try await queue.classify([good, bad, good, truncated], topK: 2)
        let expected = try classifier.classify([good, good], topK: 2).map { try $0.get() }
        #expect(try results[0].get() == expected[0] && results[2].get() == expected[1])
        for (index, name) in [(1, "upload-2.png"), (3, "upload-3.jpg")] {
            #expect(throws: ImageClassifierError.self) { try results[index].get() }
            if case .failure(let error) = results[index] { #expect("\(error)".contains(name), "\(error)") }
        }
        #expect(log.sizes == [4])
        // A single bad call throws its own decoding error.
        let failure = await Self.error { _ = try await queue.classify(bad) }
        guard case .imageFailed(let error)? = failure else { Issue.record("got \(String(describing: failure))"); return }
        #expect("\(error)".contains("upload-2.png"))
    }

    @Test func shutDownFinishesQueuedCallsAndRefusesNewOnes() async throws {
        let (_, queue, log) = try Self.queue(batch: 8, wait: .seconds(60))
        let inputs = Array(try Self.referenceInputs().prefix(3))
        let tasks = try await Self.startInOrder(inputs, on: queue)
        await queue.shutDown()      // does not wait the 60 s: the partial batch runs now
        for task in tasks { #expect(try await task.value.count == 5) }
        #expect(log.sizes == [3])
        let refusal = await Self.error { _ = try await queue.classify(inputs[0]) }
        guard case .shutDown? = refusal else { Issue.record("got \(String(describing: refusal))"); return }
    }

    @Test func theShortWaitStartsAPartialBatch() async throws {
        let (_, queue, log) = try Self.queue(batch: 8, wait: .milliseconds(1))
        _ = try await queue.classify(try Self.referenceInputs()[0])
        #expect(log.sizes == [1])
    }

    @Test func theClassifiersOwnQueueServesConcurrentTasks() async throws {
        let classifier = try ImageClassifierTests.classifier(Self.tinyModel)
        let inputs = try Self.referenceInputs()
        let expected = try classifier.classify(inputs).map { try $0.get() }
        try await withThrowingTaskGroup(of: (Int, [Classification]).self) { group in
            for (offset, input) in inputs.enumerated() {
                group.addTask { (offset, try await classifier.classify(input)) }
            }
            for try await (offset, labels) in group {
                #expect(labels.map(\.index) == expected[offset].map(\.index))
                #expect(zip(labels, expected[offset]).allSatisfy { abs($0.logit - $1.logit) <= 1e-5 })
            }
        }
    }

    @Test func invalidLimitsAreRefused() throws {
        let classifier = try ImageClassifierTests.classifier(Self.tinyModel, batchSize: 4)
        for configuration in [ClassificationQueue.Configuration(maximumBatchSize: 0),
                              .init(maximumBatchSize: 5), .init(maximumBatchSize: 4, capacity: 0),
                              .init(maximumBatchSize: 4, maximumWait: .milliseconds(-1))] {
            #expect(throws: ClassificationQueueError.self) {
                _ = try ClassificationQueue(classifier: classifier, configuration: configuration)
            }
        }
    }
}
