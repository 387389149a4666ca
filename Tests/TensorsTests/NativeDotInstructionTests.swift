import Testing
import Tensors

/// The one decision of which native dot-product instruction a reduced-precision product uses, which the
/// kernel switch, the kernel names and vit-bench's roofs all take from ``NativeDotInstruction``.
@Suite struct NativeDotInstructionTests {
    @Test func onlyAVX512WithTheFeatureRunsNatively() {
        let all: CPUFeatures = [.avx2FMA, .avx512, .avx512BF16, .avx512VNNI]
        #expect(NativeDotInstruction.forProducts(.bfloat16, on: .avx512, features: all) == .vdpbf16ps)
        #expect(NativeDotInstruction.forProducts(.int8, on: .avx512, features: all) == .vpdpbusd)
        #expect(NativeDotInstruction.forProducts(.float32, on: .avx512, features: all) == nil)
        for precision in [ComputePrecision.bfloat16, .int8] {
            #expect(NativeDotInstruction.forProducts(precision, on: .avx2, features: all) == nil)
            #expect(NativeDotInstruction.forProducts(precision, on: .baseline, features: all) == nil)
            #expect(NativeDotInstruction.forProducts(precision, on: .avx512, features: [.avx2FMA, .avx512]) == nil)
        }
        #expect(NativeDotInstruction.forProducts(.bfloat16, on: .avx512, features: [.avx512, .avx512VNNI]) == nil)
        #expect(NativeDotInstruction.forProducts(.int8, on: .avx512, features: [.avx512, .avx512BF16]) == nil)
    }

    /// Reports name the instruction wherever it runs, and the emulations otherwise.
    @Test func kernelNamesFollowTheDecision() {
        for precision in [ComputePrecision.bfloat16, .int8] {
            let name = MatrixMultiply.kernelName(.avx512, precision)
            if let native = NativeDotInstruction.forProducts(precision, on: .avx512) {
                #expect(name == native.kernelName)
            } else {
                #expect(!name.contains("vdpbf16ps") && !name.contains("vpdpbusd"), "\(name)")
            }
            #expect(!MatrixMultiply.kernelName(.avx2, precision).contains("avx512"))
        }
    }
}
