import Foundation
import Synchronization
import SwiftViT

/// Labels a list of files: a ``PreparationQueue`` decodes and preprocesses the next batches on
/// background threads while this thread runs the network on the current one; each image's
/// record is written as soon as its batch is done, in input order.
final class LabellingRun: Sendable {
    let classifier: ImageClassifier
    let inputs: [InputFile]
    let formatter: any RecordFormatter
    let console: Console
    let topK: Int
    let decodeThreads: Int
    /// The counts so far; read by the interrupt handler for its summary.
    let counts: Mutex<RunCounts>
    let start = ContinuousClock.now

    init(classifier: ImageClassifier, inputs: [InputFile], formatter: any RecordFormatter, console: Console,
         topK: Int, decodeThreads: Int, counts: RunCounts) {
        self.classifier = classifier
        self.inputs = inputs
        self.formatter = formatter
        self.console = console
        self.topK = topK
        self.decodeThreads = decodeThreads
        self.counts = Mutex(counts)
    }

    /// Seconds since the run started.
    var elapsed: Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Labels every input; stops at the first record that cannot be written.
    func run() throws(OutputSink.WriteError) {
        let queue = PreparationQueue(classifier: classifier, inputs: inputs, batchSize: classifier.options.batchSize,
                                     workers: decodeThreads)
        defer { queue.stop() }
        var lastDrawn = ContinuousClock.now
        drawProgress()
        while let batch = queue.nextBatch() {
            let prepared = batch.compactMap { try? $0.prepared.get() }
            // validate() has checked --top-k with the library's own rule, so this cannot throw.
            var predictions = ((try? classifier.classify(prepared, topK: topK)) ?? []).makeIterator()
            for item in batch {
                let outcome: Outcome
                switch item.prepared {
                case .success: outcome = .labelled(predictions.next()!)
                case .failure(let error): outcome = .failed(error.description)
                }
                try console.writeRecord(formatter.record(path: item.input.path, outcome: outcome))
                counts.withLock { counts in
                    if outcome.isFailure { counts.failed += 1 } else { counts.labelled += 1 }
                }
                if case .failed(let message) = outcome, console.echoesErrors { console.reportError(message) }
            }
            if ContinuousClock.now - lastDrawn >= .milliseconds(100) {
                drawProgress()
                lastDrawn = .now
            }
        }
        drawProgress()
    }

    private func drawProgress() {
        let counts = counts.withLock { $0 }
        console.progress(ProgressText.labelling(done: counts.done, total: counts.total, failed: counts.failed,
                                                seconds: elapsed))
    }
}
