import CKernels
import Foundation
import Synchronization

/// The vector instruction set the element-wise kernels (activations, softmax, LayerNorm, adds)
/// run with.
///
/// Swift code is compiled for baseline x86-64 (SSE2) because SwiftPM allows no per-target
/// `-mavx2` in a package others depend on, so the kernels also exist in C, compiled for AVX2+FMA
/// and AVX-512 with per-function target attributes (`CKernels`). The best set the CPU and
/// OS support is picked once at startup; the portable Swift kernels run everywhere else.
public enum VectorInstructionSet: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// The portable Swift kernels (SSE2 on x86-64, NEON on Arm).
    case baseline = 0
    /// AVX2 with FMA, 8 floats per vector.
    case avx2 = 1
    /// AVX-512 (F, DQ, BW, VL), 16 floats per vector.
    case avx512 = 2

    /// The best set this CPU and operating system support.
    public static let detected: VectorInstructionSet = {
        let found = VectorInstructionSet(rawValue: Int(svk_detect_instruction_set().rawValue)) ?? .baseline
        // SWIFTVIT_VECTOR_ISA=baseline|avx2|avx512 caps it (to compare paths on one machine).
        if let name = ProcessInfo.processInfo.environment["SWIFTVIT_VECTOR_ISA"],
           let cap = allCases.first(where: { $0.description == name }) {
            return min(found, cap)
        }
        return found
    }()

    /// Every set this machine can run, from ``baseline`` up to ``detected``: each one is a
    /// separate code path to test or time.
    public static var supported: [VectorInstructionSet] { allCases.filter { $0 <= detected } }

    private static let activeRawValue = Atomic<Int>(detected.rawValue)

    /// The set the kernels use now: ``detected`` unless lowered with ``limit(to:)``.
    public static var active: VectorInstructionSet {
        VectorInstructionSet(rawValue: activeRawValue.load(ordering: .relaxed)) ?? .baseline
    }

    /// Makes the kernels use at most `instructionSet` (never more than ``detected``), e.g. to
    /// test or time the portable path on a machine with AVX-512. Call it between passes.
    public static func limit(to instructionSet: VectorInstructionSet) {
        activeRawValue.store(min(instructionSet, detected).rawValue, ordering: .relaxed)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `baseline`, `avx2` or `avx512`.
    public var description: String {
        switch self {
        case .baseline: "baseline"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }
}
