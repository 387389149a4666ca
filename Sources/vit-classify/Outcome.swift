import SwiftViT

/// What became of one input.
enum Outcome: Sendable {
    /// The image's best classes, best first.
    case labelled([Classification])
    /// Why the image could not be labelled (the message names the file).
    case failed(String)

    var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }
}

/// Renders one input's outcome as a complete record of an output format.
protocol RecordFormatter: Sendable {
    /// What a new file or stream starts with (a CSV header, the table's column titles), if
    /// anything; it ends with a newline.
    var header: String? { get }
    /// The complete record of one input, ending with a newline. A record is written with one
    /// `write(2)`, so an interrupted run never leaves part of one.
    func record(path: String, outcome: Outcome) -> String
}
