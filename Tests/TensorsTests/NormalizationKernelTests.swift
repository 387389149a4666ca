import TestSupport
import Foundation
import Testing
import Tensors

/// LayerNorm and softmax against Float64 references, on every instruction set this machine has; and
/// the same bits on every instruction set.
@Suite struct NormalizationKernelTests {
    static func layerNormReference(_ row: [Double], weight: [Float], bias: [Float], epsilon: Double) -> [Double] {
        let mean = row.reduce(0, +) / Double(row.count)
        let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(row.count)
        let scale = 1 / (variance + epsilon).squareRoot()
        return row.indices.map { ($0 < 0 ? 0 : (row[$0] - mean) * scale) * Double(weight[$0]) + Double(bias[$0]) }
    }

    @Test(arguments: VectorInstructionSet.supported)
    func layerNormOnOddSizesAndLargeMagnitudes(instructionSet: VectorInstructionSet) {
        for (rows, columns, offset, spread) in [(1, 1, 0.0, 1.0), (3, 7, 0, 1), (197, 768, 0, 3), (5, 13, 1e4, 1),
                                                 (2, 769, -3e3, 0.01), (4, 1024, 0, 1e4)] {
            var random = SeededRandom(seed: UInt64(rows * columns))
            let values = (0..<(rows * columns)).map { _ in Float(offset + spread * Double.random(in: -1...1, using: &random)) }
            let x = Tensor(shape: [rows, columns], values: values)
            let weight = Tensor.random([columns], in: 0.5...1.5, seed: 1), bias = Tensor.random([columns], seed: 2)
            let output = Tensor(zeros: [rows, columns])
            Kernels.layerNorm(x.matrix, weight: weight.pointer, bias: bias.pointer, epsilon: 1e-12,
                              into: output.mutableMatrix)
            var expected: [Double] = []
            for row in 0..<rows {
                expected += Self.layerNormReference(values[(row * columns)..<((row + 1) * columns)].map(Double.init),
                                                    weight: weight.scalars, bias: bias.scalars, epsilon: 1e-12)
            }
            // Tolerance: 2e-5 absolute on outputs of magnitude ≲ 5, widened for rows whose mean is
            // large against their spread: (x − mean) then loses |offset|/spread · 6e-8 relative
            // to Float32 rounding of the subtraction itself (1e4/1 → 6e-4 of the ulp budget;
            // −3e3/0.01 → 1.8e-2). The reference sees the same Float32 inputs.
            let tolerance = columns == 1 ? 1e-6 : max(2e-5, 4 * 6e-8 * abs(offset) / spread)
            let worst = maxAbsoluteDifference(output.scalars, expected)
            #expect(worst <= tolerance,
                    "\(rows)×\(columns) offset \(offset) spread \(spread): max |Δ| \(maxAbsoluteDifference(output.scalars, expected))")
        }
    }

    @Test(arguments: VectorInstructionSet.supported)
    func layerNormOfAConstantRowIsTheBias(instructionSet: VectorInstructionSet) {
        let x = Tensor(shape: [1, 9], values: [Float](repeating: 123.5, count: 9))
        let weight = Tensor(shape: [9], values: [Float](repeating: 2, count: 9))
        let bias = Tensor.random([9], seed: 3), output = Tensor(zeros: [1, 9])
        Kernels.layerNorm(x.matrix, weight: weight.pointer, bias: bias.pointer, epsilon: 1e-12, into: output.mutableMatrix,
                          instructionSet: instructionSet)
        // Exact: (x − mean) is exactly 0.
        #expect(output.scalars == bias.scalars)
    }

    @Test(arguments: VectorInstructionSet.supported)
    func layerNormPropagatesNaNAndInfinityToTheirRowOnly(instructionSet: VectorInstructionSet) {
        let x = Tensor(shape: [3, 5], values: [1, 2, .nan, 4, 5, 1, .infinity, 3, 4, 5, 1, 2, 3, 4, 5])
        let weight = Tensor(shape: [5], values: [1, 1, 1, 1, 1]), bias = Tensor(zeros: [5])
        let output = Tensor(zeros: [3, 5])
        Kernels.layerNorm(x.matrix, weight: weight.pointer, bias: bias.pointer, epsilon: 1e-5, into: output.mutableMatrix,
                          instructionSet: instructionSet)
        let values = output.scalars
        #expect(values[0..<5].allSatisfy { $0.isNaN })
        #expect(values[5..<10].allSatisfy { $0.isNaN })
        #expect(values[10..<15].allSatisfy { $0.isFinite })
    }

    /// Reductions keep 16 partial sums in a fixed order whatever the vector width, so every
    /// instruction set gives the same bits (which makes logits identical across CPUs).
    @Test func everyInstructionSetGivesTheSameBits() {
        for (rows, columns) in [(3, 7), (197, 768), (5, 1000), (2, 33)] {
            let x = Tensor.random([rows, columns], in: -6...6, seed: UInt64(columns))
            let weight = Tensor.random([columns], in: 0.5...1.5, seed: 1), bias = Tensor.random([columns], seed: 2)
            var normalized: [[Float]] = [], softmaxed: [[Float]] = [], activated: [[Float]] = []
            for instructionSet in VectorInstructionSet.supported {
                let output = Tensor(zeros: [rows, columns])
                Kernels.layerNorm(x.matrix, weight: weight.pointer, bias: bias.pointer, epsilon: 1e-12,
                                  into: output.mutableMatrix, instructionSet: instructionSet)
                normalized.append(output.scalars)
                let probabilities = x.copy()
                for row in 0..<rows {
                    Kernels.softmaxRow(probabilities.mutablePointer + row * columns, count: columns,
                                       instructionSet: instructionSet)
                }
                softmaxed.append(probabilities.scalars)
                Kernels.applyEpilogue(GEMMEpilogue(bias: bias.pointer, activation: .gelu), to: x.matrix,
                                      into: output.mutableMatrix, instructionSet: instructionSet)
                activated.append(output.scalars)
            }
            for results in [normalized, softmaxed, activated] {
                #expect(results.allSatisfy { $0.map(\.bitPattern) == results[0].map(\.bitPattern) },
                        "\(rows)×\(columns): \(VectorInstructionSet.supported) differ")
            }
        }
    }

    static func softmaxReference(_ row: [Float]) -> [Double] {
        let values = row.map(Double.init)
        if values.contains(where: \.isNaN) { return values.map { _ in .nan } }
        let maximum = values.max()!
        let exps = values.map { Foundation.exp($0 - maximum) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    @Test(arguments: VectorInstructionSet.supported)
    func softmaxOnOddSizesAndLargeMagnitudes(instructionSet: VectorInstructionSet) {
        for (rows, columns, range) in [(1, 1, Float(1)), (3, 7, 1), (12 * 197, 197, 10), (2, 1000, 1e4), (5, 9, 1e30)] {
            let x = Tensor.random([rows, columns], in: -range...range, seed: UInt64(columns))
            let input = x.scalars
            for row in 0..<rows {
                Kernels.softmaxRow(x.mutablePointer + row * columns, count: columns, instructionSet: instructionSet)
            }
            var expected: [Double] = []
            for row in 0..<rows { expected += Self.softmaxReference(Array(input[(row * columns)..<((row + 1) * columns)])) }
            // Tolerance 1e-6 absolute on probabilities (exp within 2 ulp, sums of ≤ 1000 terms).
            #expect(allClose(x.scalars, expected, absolute: 1e-6) == true,
                    "\(rows)×\(columns) range \(range): max |Δ| \(maxAbsoluteDifference(x.scalars, expected))")
            for row in 0..<rows {
                let sum = x.scalars[(row * columns)..<((row + 1) * columns)].reduce(0, +)
                #expect(abs(sum - 1) < 1e-5)
            }
        }
    }

    /// Rows are interleaved in groups inside `softmaxRows`: each row must still get exactly its own
    /// row-by-row bits, whatever the row count (groups of 4 and a remainder), a NaN or fully masked
    /// row beside it, and the floats between rows (`stride` > `count`) must stay untouched.
    @Test(arguments: VectorInstructionSet.supported)
    func blockOfRowsEqualsRowByRow(instructionSet: VectorInstructionSet) {
        for (rows, count, stride) in [(1, 197, 197), (3, 7, 9), (4, 16, 16), (9, 197, 200), (13, 33, 40), (5, 1, 3)] {
            let x = Tensor.random([rows, stride], in: -8...8, seed: UInt64(rows * 1000 + count))
            if rows > 2 {
                x.mutablePointer[stride + count / 2] = .nan
                for column in 0..<count { x.mutablePointer[2 * stride + column] = -.infinity }
            }
            let rowByRow = x.copy(), block = x.copy()
            for row in 0..<rows {
                Kernels.softmaxRow(rowByRow.mutablePointer + row * stride, count: count, instructionSet: instructionSet)
            }
            Kernels.softmaxRows(block.mutablePointer, rows: rows, count: count, stride: stride,
                                instructionSet: instructionSet)
            #expect(block.scalars.map(\.bitPattern) == rowByRow.scalars.map(\.bitPattern),
                    "\(rows) rows of \(count), stride \(stride), \(instructionSet)")
            for row in 0..<rows {
                for column in count..<stride {
                    #expect(block.scalars[row * stride + column].bitPattern == x.scalars[row * stride + column].bitPattern)
                }
            }
        }
    }

    @Test(arguments: VectorInstructionSet.supported)
    func softmaxSpecialValues(instructionSet: VectorInstructionSet) {
        let x = Tensor(shape: [4, 4], values: [
            0, -.infinity, 0, -.infinity,            // masked entries get probability 0
            1, .nan, 2, 3,                           // NaN poisons its row
            -.infinity, -.infinity, -.infinity, -.infinity, // fully masked: NaN, as PyTorch
            1, 2, 3, 4,
        ])
        for row in 0..<4 { Kernels.softmaxRow(x.mutablePointer + row * 4, count: 4, instructionSet: instructionSet) }
        let values = x.scalars
        #expect(values[0..<4] == [0.5, 0, 0.5, 0])
        #expect(values[4..<8].allSatisfy { $0.isNaN })
        #expect(values[8..<12].allSatisfy { $0.isNaN })
        #expect(values[12..<16].allSatisfy { $0 > 0 && $0 < 1 })
    }
}
