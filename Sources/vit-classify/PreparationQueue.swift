import Foundation
import SwiftViT

/// Decodes and preprocesses images on background threads, ahead of the network, and hands them
/// out batch by batch in input order.
///
/// `workers` threads take the next input in order and run ``ImageClassifier/prepare(_:)`` on it
/// (decoding, EXIF, resizing, normalisation), while the consumer runs the network on the batch
/// it took last. Workers stay at most `lookahead` batches ahead of the consumer, so memory holds
/// at most `lookahead + 1` batches of prepared images (about 0.6 MB per 224×224 image) however
/// many inputs there are.
final class PreparationQueue: @unchecked Sendable {
    /// One input and what preparing it gave.
    typealias Item = (input: InputFile, prepared: Result<PreparedImage, ImageClassifierError>)

    private let classifier: ImageClassifier
    private let inputs: [InputFile]
    private let batchSize: Int
    private let lookahead: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var ready: [Int: Result<PreparedImage, ImageClassifierError>] = [:]
    private var nextToPrepare = 0
    private var batchesTaken = 0
    private var stopped = false

    /// Starts `workers` threads preparing `inputs`.
    init(classifier: ImageClassifier, inputs: [InputFile], batchSize: Int, lookahead: Int = 2, workers: Int) {
        self.classifier = classifier
        self.inputs = inputs
        self.batchSize = batchSize
        self.lookahead = lookahead
        for number in 0..<max(1, min(workers, inputs.count)) {
            let thread = Thread { [self] in work() }
            thread.name = "vit-classify prepare \(number)"
            thread.start()
        }
    }

    /// The number of batches the inputs make.
    var batchCount: Int { (inputs.count + batchSize - 1) / batchSize }

    /// Waits for the next batch and returns it, or `nil` after the last one.
    func nextBatch() -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        let start = batchesTaken * batchSize
        guard start < inputs.count else { return nil }
        let range = start..<min(inputs.count, start + batchSize)
        while !range.allSatisfy({ ready[$0] != nil }) { condition.wait() }
        let batch = range.map { (inputs[$0], ready.removeValue(forKey: $0)!) }
        batchesTaken += 1
        condition.broadcast()
        return batch
    }

    /// Lets the workers finish the image they are on and stop.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reads and prepares one file; errors name it by `path` as given (not made absolute).
    static func prepare(_ path: String, with classifier: ImageClassifier) -> Result<PreparedImage, ImageClassifierError> {
        let data: Data
        do {
            // Mapping avoids copying a large file just to read its header.
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            return .failure(.undecodableImage(.unreadableFile(path: path, error: error)))
        }
        return Result { () throws(ImageClassifierError) in try classifier.prepare(.data(data, name: path)) }
    }

    private func work() {
        while true {
            condition.lock()
            while !stopped, nextToPrepare < inputs.count, nextToPrepare >= (batchesTaken + lookahead) * batchSize {
                condition.wait()
            }
            guard !stopped, nextToPrepare < inputs.count else {
                condition.unlock()
                return
            }
            let index = nextToPrepare
            nextToPrepare += 1
            condition.unlock()

            let result = Self.prepare(inputs[index].path, with: classifier)
            condition.lock()
            ready[index] = result
            condition.broadcast()
            condition.unlock()
        }
    }
}
