import Tensors

/// Row-wise kernel timings at ViT-B shapes (batch 1), once per instruction set this CPU supports,
/// in the same run, so the ratios between them are meaningful on a noisy machine.
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
        VectorInstructionSet.supported.flatMap { run(iterations: iterations, instructionSet: $0) }
    }

    private static func run(iterations: Int, instructionSet: VectorInstructionSet) -> [Entry] {
        let mlp = Tensor(zeros: [197, 3072]), source = Tensor(zeros: [197, 3072]), bias = Tensor(zeros: [3072])
        for index in 0..<source.count { source.mutablePointer[index] = Float(index % 17) * 0.3 - 2 }
        let hidden = Tensor(zeros: [197, 768]), normed = Tensor(zeros: [197, 768]), ones = Tensor(zeros: [768])
        for index in 0..<hidden.count { hidden.mutablePointer[index] = Float(index % 13) * 0.3 - 2 }
        let scores = Tensor(zeros: [12 * 197, 197])
        func time(_ name: String, _ body: () -> Void) -> Entry {
            Entry(name: name, instructionSet: instructionSet.description,
                  microseconds: Timings(measure(warmup: 2, iterations: iterations * 5, body)).median * 1e6)
        }
        return [
            time("gelu(x + bias) 197×3072 (the separate epilogue pass)") {
                Kernels.applyEpilogue(GEMMEpilogue(bias: bias.pointer, activation: .gelu), to: source.matrix,
                                      into: mlp.mutableMatrix, instructionSet: instructionSet)
            },
            time("softmax 12×197×197") {
                for index in stride(from: 0, to: scores.count, by: 97) { scores.mutablePointer[index] = 1 }
                for head in 0..<12 {
                    Kernels.softmaxRows(scores.mutablePointer + head * 197 * 197, rows: 197, count: 197, stride: 197,
                                        instructionSet: instructionSet)
                }
            },
            time("layernorm 197×768") {
                Kernels.layerNorm(hidden.matrix, weight: ones.pointer, bias: ones.pointer, epsilon: 1e-12,
                                  into: normed.mutableMatrix, instructionSet: instructionSet)
            },
        ]
    }
}
