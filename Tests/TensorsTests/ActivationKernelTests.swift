import Foundation
import Testing
import Tensors

/// Every activation of the GEMM epilogue, with and without the bias, against Float64 formulas, on
/// every instruction set this machine has.
@Suite struct ActivationKernelTests {
    static func reference(_ activation: Activation, _ x: Double) -> Double {
        switch activation {
        case .gelu: return 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
        case .geluTanh: return 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        case .relu: return x.isNaN ? .nan : max(x, 0)
        case .silu: return x / (1 + Foundation.exp(-x))
        case .quickGelu: return x / (1 + Foundation.exp(-1.702 * x))
        }
    }

    @Test(arguments: Activation.allCases, VectorInstructionSet.supported)
    func matchesReferenceOnOddShapesWithAndWithoutBias(activation: Activation, instructionSet: VectorInstructionSet) {
        for (rows, columns) in [(1, 1), (3, 7), (7, 13), (197, 3072), (2, 768), (5, 33)] {
            for withBias in [false, true] {
                let x = Tensor.random([rows, columns], in: -8...8, seed: UInt64(rows * 1000 + columns))
                let bias = Tensor.random([columns], in: -1...1, seed: UInt64(columns))
                let input = x.scalars, biasValues = bias.scalars
                Kernels.applyEpilogue(GEMMEpilogue(bias: withBias ? bias.pointer : nil, activation: activation),
                                      to: x.matrix, into: x.mutableMatrix, instructionSet: instructionSet)
                let expected = input.indices.map { index in
                    let b = withBias ? Double(biasValues[index % columns]) : 0
                    return Self.reference(activation, Double(Float(Double(input[index]) + b)))
                }
                // Tolerance 1e-6 absolute + 1e-6 relative: the vector erf/exp are within ~2e-7
                // and the products add a few roundings at |x| ≤ 9.
                #expect(allClose(x.scalars, expected, absolute: 1e-6, relative: 1e-6) == true,
                        "\(activation) \(rows)×\(columns) bias=\(withBias): max |Δ| \(maxAbsoluteDifference(x.scalars, expected))")
            }
        }
    }

    @Test(arguments: Activation.allCases, VectorInstructionSet.supported)
    func propagatesNaNAndInfinityLikeTheFormula(activation: Activation, instructionSet: VectorInstructionSet) {
        let inputs: [Float] = [.nan, .infinity, -.infinity, 0, 1, -1, 50, -50, 1e30, -1e30, 3]
        let x = Tensor(shape: [1, inputs.count], values: inputs)
        Kernels.applyEpilogue(GEMMEpilogue(activation: activation), to: x.matrix, into: x.mutableMatrix,
                              instructionSet: instructionSet)
        let actual = x.scalars
        #expect(actual[0].isNaN, "\(activation)(NaN)")
        #expect(actual[1] == .infinity, "\(activation)(+∞)")
        // x·(1 + f(−∞)) with f(−∞) = −1 (erf, tanh) or sigmoid(−∞) = 0: −∞·0 is NaN for the
        // GELUs and SiLUs, as in PyTorch; ReLU gives 0.
        if activation == .relu { #expect(actual[2] == 0) } else { #expect(actual[2].isNaN, "\(activation)(−∞)") }
        for index in 3..<inputs.count where inputs[index].magnitude < 1e29 {
            // Tolerance as above.
            #expect(abs(Double(actual[index]) - Self.reference(activation, Double(inputs[index])))
                    <= 1e-6 + 1e-6 * abs(Double(inputs[index])))
        }
    }

    @Test(arguments: VectorInstructionSet.supported)
    func biasAddMatchesReference(instructionSet: VectorInstructionSet) {
        let x = Tensor.random([197, 771], seed: 5), bias = Tensor.random([771], seed: 6)
        let input = x.scalars, b = bias.scalars
        Kernels.applyEpilogue(GEMMEpilogue(bias: bias.pointer), to: x.matrix, into: x.mutableMatrix,
                              instructionSet: instructionSet)
        // Exact: one Float32 addition, same rounding as the reference.
        #expect(x.scalars == input.indices.map { input[$0] + b[$0 % 771] })
    }

    @Test(arguments: VectorInstructionSet.supported)
    func residualAddMatchesReferenceIncludingStridedRows(instructionSet: VectorInstructionSet) {
        let destination = Tensor.random([7, 13], seed: 7), source = Tensor.random([7, 20], seed: 8)
        let before = destination.scalars, from = source.scalars
        Kernels.applyEpilogue(GEMMEpilogue(residual: MatrixView(source.pointer, rows: 7, columns: 13,
                                                                leadingDimension: 20)),
                              to: destination.matrix, into: destination.mutableMatrix, instructionSet: instructionSet)
        // Exact: one Float32 addition.
        #expect(destination.scalars == before.indices.map { before[$0] + from[($0 / 13) * 20 + $0 % 13] })
    }
}
