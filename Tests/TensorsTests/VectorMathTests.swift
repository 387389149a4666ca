import Foundation
import Testing
import Tensors

/// The vectorised transcendental functions against Foundation's Float64 versions.
@Suite struct VectorMathTests {
    /// Evaluates `function` on `inputs` eight lanes at a time.
    static func evaluate(_ inputs: [Float], _ function: (FloatVector) -> FloatVector) -> [Float] {
        var outputs: [Float] = []
        var index = 0
        while index < inputs.count {
            var vector = FloatVector()
            for lane in 0..<8 where index + lane < inputs.count { vector[lane] = inputs[index + lane] }
            let result = function(vector)
            for lane in 0..<8 where index + lane < inputs.count { outputs.append(result[lane]) }
            index += 8
        }
        return outputs
    }

    static let sweep: [Float] = stride(from: -90.0, through: 90.0, by: 0.0137).map { Float($0) }
        + [0, -0, 1e-30, -1e-30, 1e-7, 88.7, -87.3]

    @Test func expIsWithinTwoUlpAcrossTheNormalRange() {
        // Results above 2·FLT_MIN (x > −86.6); below that they flush to zero by design.
        let inputs = Self.sweep.filter { $0 > -86.6 && $0 < 88.7 }
        let outputs = Self.evaluate(inputs, VectorMath.exp)
        let relative = zip(outputs, inputs).map { abs(Double($0) - Foundation.exp(Double($1))) / Foundation.exp(Double($1)) }.max()!
        // Tolerance: 2 ulp, i.e. relative 2 · 2⁻²³ = 2.4e-7.
        #expect(relative <= 2.4e-7, "max relative error \(relative)")
    }

    @Test func expSpecialValues() {
        let inputs: [Float] = [.infinity, -.infinity, .nan, 89, 1000, -88, -104, -1000]
        let outputs = Self.evaluate(inputs, VectorMath.exp)
        #expect(outputs[0] == .infinity)
        #expect(outputs[1] == 0)
        #expect(outputs[2].isNaN)
        #expect(outputs[3] == .infinity && outputs[4] == .infinity)
        // Below 2·FLT_MIN results flush to zero (documented); exp(−88) ≈ 6e-39 is in that range.
        #expect(outputs[5] == 0 && outputs[6] == 0 && outputs[7] == 0)
    }

    @Test func erfIsWithinAbramowitzStegunBound() {
        let inputs = Self.sweep.filter { abs($0) < 10 }
        let outputs = Self.evaluate(inputs, VectorMath.erf)
        let worst = maxAbsoluteDifference(outputs, inputs.map { Foundation.erf(Double($0)) })
        // Tolerance: A&S 7.1.26's 1.5e-7 in exact arithmetic, plus about 2.5 ulp of 1 (1.5e-7)
        // from evaluating 1 − poly·exp(−x²) in Float32; measured 2.96e-7.
        #expect(worst <= 3.5e-7, "max |Δ| \(worst)")
        let special = Self.evaluate([.infinity, -.infinity, .nan, -0.0], VectorMath.erf)
        #expect(special[0] == 1 && special[1] == -1 && special[2].isNaN)
        #expect(special[3] == 0 && special[3].sign == .minus)
    }

    @Test func tanhAndSigmoid() {
        let inputs = Self.sweep.filter { abs($0) < 40 }
        // Tolerance: 3e-7 absolute (the 1 − 2/(e^{2x}+1) form loses relative accuracy near 0
        // but not absolute accuracy).
        let tanhError = maxAbsoluteDifference(Self.evaluate(inputs, VectorMath.tanh),
                                              inputs.map { Foundation.tanh(Double($0)) })
        let sigmoidError = maxAbsoluteDifference(Self.evaluate(inputs, VectorMath.sigmoid),
                                                 inputs.map { 1 / (1 + Foundation.exp(-Double($0))) })
        #expect(tanhError <= 3e-7, "tanh max |Δ| \(tanhError)")
        #expect(sigmoidError <= 3e-7, "sigmoid max |Δ| \(sigmoidError)")
        let special = Self.evaluate([.infinity, -.infinity, .nan], VectorMath.tanh)
        #expect(special[0] == 1 && special[1] == -1 && special[2].isNaN)
        let sigmoid = Self.evaluate([.infinity, -.infinity, .nan], VectorMath.sigmoid)
        #expect(sigmoid[0] == 1 && sigmoid[1] == 0 && sigmoid[2].isNaN)
    }
}
