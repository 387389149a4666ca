import Tensors

/// Element-wise kernel timings at ViT-B shapes (batch 1), to see what the non-GEMM work costs:
/// once per instruction set this CPU supports (the portable Swift kernels and the C ones), in
/// the same run, so the ratios between them are meaningful on a noisy machine.
enum KernelBenchmark {
    struct Entry: Encodable {
        let name: String
        let instructionSet: String
        let microseconds: Double

        enum CodingKeys: String, CodingKey {
            case name, instructionSet = "vector_isa", microseconds
        }
    }

    static func run(iterations: Int) -> [Entry] {
        let available = VectorInstructionSet.supported
        defer { VectorInstructionSet.limit(to: .detected) }
        return available.flatMap { instructionSet in
            VectorInstructionSet.limit(to: instructionSet)
            return run(iterations: iterations, label: instructionSet.description)
        }
    }

    private static func run(iterations: Int, label: String) -> [Entry] {
        let mlp = Tensor(zeros: [197, 3072]), bias = Tensor(zeros: [3072])
        for index in 0..<mlp.count { mlp.mutablePointer[index] = Float(index % 17) * 0.3 - 2 }
        // Kernels run in place; each timed run starts from the same values (the copy, ~0.1 ms,
        // is included), since repeated GELUs would decay into subnormals and time those.
        let pristine = mlp.copy()
        let hidden = Tensor(zeros: [197, 768]), normed = Tensor(zeros: [197, 768]), ones = Tensor(zeros: [768])
        for index in 0..<hidden.count { hidden.mutablePointer[index] = Float(index % 13) * 0.3 - 2 }
        let scores = Tensor(zeros: [12 * 197, 197])
        func time(_ name: String, _ body: () -> Void) -> Entry {
            Entry(name: name, instructionSet: label, microseconds: Timings(measure(warmup: 2, iterations: iterations * 5, body)).median * 1e6)
        }
        return [
            time("gelu 197×3072 (+bias)") {
                mlp.mutablePointer.update(from: pristine.pointer, count: mlp.count)
                Kernels.applyActivation(.gelu, to: mlp.mutableMatrix, addingBias: bias.pointer)
            },
            time("gelu_tanh 197×3072") {
                mlp.mutablePointer.update(from: pristine.pointer, count: mlp.count)
                Kernels.applyActivation(.geluTanh, to: mlp.mutableMatrix)
            },
            time("copy 197×3072 (included above)") {
                mlp.mutablePointer.update(from: pristine.pointer, count: mlp.count)
            },
            time("softmax 12×197×197") {
                for index in stride(from: 0, to: scores.count, by: 97) { scores.mutablePointer[index] = 1 }
                Kernels.softmaxRows(scores.mutableMatrix)
            },
            time("residual + layernorm 197×768") {
                Kernels.addAndLayerNorm(residual: hidden.mutableMatrix, deltaBias: ones.pointer, weight: ones.pointer,
                                        bias: ones.pointer, epsilon: 1e-12, into: normed.mutableMatrix)
            },
        ]
    }
}
