extension CoalescingWorker {
    /// Queues `inputs` as one call and suspends until all have been classified (or the call
    /// was refused or cancelled).
    func classify(_ inputs: [ImageInput], topK: Int) async throws(ClassificationQueueError)
        -> [Result<[Classification], ImageClassifierError>] {
        guard topK >= 1 else { throw .invalidArgument("top-k must be at least 1, not \(topK)") }
        if Task.isCancelled { throw .cancelled }
        let box = PendingBox()
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let call = PendingClassification(inputs: inputs, topK: topK, continuation: continuation)
                if box.set(call) {
                    call.fail(.cancelled)?()    // cancelled before the call existed
                } else {
                    submit(call)
                }
            }
        } onCancel: {
            box.whenSet { cancel($0) }
        }
        return try outcome.get()
    }

    /// One image as its own call: its labels, or its decoding error as ``ClassificationQueueError/imageFailed(_:)``.
    func classify(_ input: ImageInput, topK: Int) async throws(ClassificationQueueError) -> [Classification] {
        switch try await classify([input], topK: topK)[0] {
        case .success(let labels): return labels
        case .failure(let error): throw .imageFailed(error)
        }
    }
}
