import Foundation
import Synchronization
import SwiftViT

/// Loads the classifier for `--model`, showing download progress on a terminal, and turns every
/// failure into one line that says why and what to do.
enum ModelLoader {
    static func load(_ model: String, options: ImageClassifier.Options, console: Console)
        async throws(ModelLoadingError) -> ImageClassifier {
        console.progress("loading \(model)…")
        let lastDrawn = Mutex<ContinuousClock.Instant?>(nil)
        do {
            let classifier = try await ImageClassifier(model: model, options: options) { progress in
                let now = ContinuousClock.now
                let due = lastDrawn.withLock { last in
                    guard last.map({ now - $0 >= .milliseconds(100) }) ?? true
                            || progress.completedBytes == progress.totalBytes else { return false }
                    last = now
                    return true
                }
                if due { console.progress(ProgressText.loading(progress)) }
            }
            return classifier
        } catch ImageClassifierError.modelUnavailable(_, let error) {
            throw ModelLoadingError(description: "cannot load the model: \(error)" + advice(for: error))
        } catch {
            throw ModelLoadingError(description: "cannot load the model: \(error)")
        }
    }

    /// What to do about `error`, as a clause to append to the message.
    private static func advice(for error: ModelRepositoryError) -> String {
        let folder = "a folder holding config.json, preprocessor_config.json and model.safetensors"
        switch error {
        case .notCached, .network, .notAHubEndpoint, .httpStatus, .incompleteDownload:
            return " — without network access, copy the model to this machine and pass --model DIR (\(folder))"
        case .directoryNotFound, .missingFile, .noWeights:
            return " — --model takes a Hub id like google/vit-base-patch16-224 or \(folder)"
        default:
            return ""
        }
    }
}
