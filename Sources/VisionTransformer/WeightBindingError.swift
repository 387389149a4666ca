import Checkpoints

/// Why a checkpoint's tensors could not be bound to a model's parameters.
public enum WeightBindingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One tensor whose shape differs from what the configuration implies.
    public struct ShapeMismatch: Sendable, Equatable {
        /// The checkpoint name of the tensor.
        public var name: String
        /// The shape the configuration implies.
        public var expected: [Int]
        /// The shape stored in the checkpoint.
        public var actual: [Int]

        /// Describes one misshapen tensor.
        public init(name: String, expected: [Int], actual: [Int]) {
            self.name = name
            self.expected = expected
            self.actual = actual
        }
    }

    /// The checkpoint does not hold the tensors the configuration calls for. Every problem is
    /// listed at once, so a wrong checkpoint/config pair is diagnosed in one attempt.
    case checkpointMismatch(checkpoint: String, missing: [String], unexpected: [String], wrongShape: [ShapeMismatch])
    /// A tensor is present but could not be read (damaged file, unsupported dtype).
    case unreadableTensor(SafetensorsError)
    /// The configuration itself cannot describe a model (e.g. the width is not divisible by the
    /// head count).
    case invalidConfiguration(String)
    /// The requested compute precision needs kernels this CPU (or the requested instruction set)
    /// does not have.
    case unsupportedPrecision(precision: String, instructionSet: String)

    /// A message naming the checkpoint and listing every problem.
    public var description: String {
        switch self {
        case .checkpointMismatch(let checkpoint, let missing, let unexpected, let wrongShape):
            var lines = ["\(checkpoint): the checkpoint does not match its config.json:"]
            func list(_ title: String, _ items: [String]) {
                guard !items.isEmpty else { return }
                let shown = items.prefix(12).map { "  \($0)" }
                lines.append("\(title) (\(items.count)):")
                lines += shown
                if items.count > shown.count { lines.append("  … and \(items.count - shown.count) more") }
            }
            list("missing tensors", missing)
            list("unexpected tensors", unexpected)
            list("tensors with the wrong shape", wrongShape.map {
                "\($0.name): expected \($0.expected), found \($0.actual)"
            })
            return lines.joined(separator: "\n")
        case .unreadableTensor(let error):
            return "\(error)"
        case .invalidConfiguration(let reason):
            return "invalid model configuration: \(reason)"
        case .unsupportedPrecision(let precision, let instructionSet):
            return "\(precision) compute needs AVX2 or AVX-512 kernels; this model was asked to run on \(instructionSet)"
        }
    }
}
