/// The native dot-product instruction a reduced-precision product runs on, where the CPU has one. Decided
/// here once from CPUID for the three places that must agree: the kernel the product calls, the kernel name
/// reports print (``MatrixMultiply/kernelName(_:_:)``) and the roof vit-bench measures against
/// (``FMAPeak/nativeDotGigaflops(_:precision:pool:repetitions:)``).
public enum NativeDotInstruction: Sendable, Equatable {
    /// AVX512-BF16's `vdpbf16ps`: pairs of bfloat16 products summed into Float32 lanes.
    case vdpbf16ps
    /// AVX512-VNNI's `vpdpbusd`: quads of u8 · s8 products summed into Int32 lanes.
    case vpdpbusd

    /// The instruction `precision` products use on `instructionSet` with `features`, or `nil` where they run
    /// on FMAs (Float32, and the bfloat16 and int8 emulations of AVX2 and plain AVX-512).
    public static func forProducts(_ precision: ComputePrecision, on instructionSet: VectorInstructionSet,
                                   features: CPUFeatures = .current) -> NativeDotInstruction? {
        guard instructionSet == .avx512 else { return nil }
        switch precision {
        case .bfloat16: return features.contains(.avx512BF16) ? .vdpbf16ps : nil
        case .int8: return features.contains(.avx512VNNI) ? .vpdpbusd : nil
        case .float32: return nil
        }
    }

    /// How reports name the kernel: the CPUID feature and the instruction.
    public var kernelName: String {
        switch self {
        case .vdpbf16ps: return "avx512_bf16 vdpbf16ps"
        case .vpdpbusd: return "avx512_vnni vpdpbusd"
        }
    }
}
