/// The instruction set our kernels run with: the GEMM microkernels and the element-wise kernels
/// (activations, softmax, LayerNorm) are compiled once per set in C (`CKernels`) and picked here.
///
/// Swift compiles its own code for baseline x86-64 (SSE2) because SwiftPM allows no per-target
/// `-mavx2` in a package others depend on; C functions with clang's `target` attribute have no
/// such limit. The best set the CPU and OS support is the default; a model can be built for any
/// lower one (tests and `vit-bench` run each set the machine has).
public enum VectorInstructionSet: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Portable C kernels (4-wide vectors: SSE2 on x86-64, NEON on Arm); GEMMs through OpenBLAS,
    /// for CPUs without AVX2 + FMA.
    case baseline = 0
    /// AVX2 with FMA: 8 floats per vector, 6 × 16 GEMM tiles.
    case avx2 = 1
    /// AVX-512 (F, DQ, BW, VL): 16 floats per vector, 12 × 32 GEMM tiles.
    case avx512 = 2

    /// The best set this CPU and operating system support.
    public static let detected: VectorInstructionSet = {
        let features = CPUFeatures.current
        if features.contains(.avx512) { return .avx512 }
        if features.contains(.avx2FMA) { return .avx2 }
        return .baseline
    }()

    /// Every set this machine can run, from ``baseline`` up to ``detected``: each one is a
    /// separate code path to test or time.
    public static var supported: [VectorInstructionSet] { allCases.filter { $0 <= detected } }

    /// Whether GEMMs run on our packed-weight kernels (false: through OpenBLAS).
    public var hasOwnGEMM: Bool { self != .baseline }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `baseline`, `avx2` or `avx512`.
    public var description: String {
        switch self {
        case .baseline: "baseline"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    /// The set named `name` (as ``description`` spells it), if any.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}
