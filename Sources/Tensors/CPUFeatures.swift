import CKernels

/// What this CPU and operating system let our kernels use, read once by CPUID (see `ck_cpu.h`).
public struct CPUFeatures: OptionSet, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    /// Creates a set from `ck_cpu_features()` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// AVX2 with FMA3 and F16C.
    public static let avx2FMA = CPUFeatures(rawValue: UInt32(CK_CPU_AVX2_FMA))
    /// AVX-512 F, DQ, BW and VL.
    public static let avx512 = CPUFeatures(rawValue: UInt32(CK_CPU_AVX512))
    /// AVX-512 BF16 (`vdpbf16ps`).
    public static let avx512BF16 = CPUFeatures(rawValue: UInt32(CK_CPU_AVX512_BF16))
    /// AVX-512 VNNI (`vpdpbusd` on zmm).
    public static let avx512VNNI = CPUFeatures(rawValue: UInt32(CK_CPU_AVX512_VNNI))
    /// AVX-VNNI (`vpdpbusd` on ymm).
    public static let avxVNNI = CPUFeatures(rawValue: UInt32(CK_CPU_AVX_VNNI))
    /// AMX tiles with BF16, with the tile state granted by the OS.
    public static let amxBF16 = CPUFeatures(rawValue: UInt32(CK_CPU_AMX_BF16))
    /// AMX tiles with INT8, with the tile state granted by the OS.
    public static let amxInt8 = CPUFeatures(rawValue: UInt32(CK_CPU_AMX_INT8))
    /// The vendor is AMD.
    public static let amd = CPUFeatures(rawValue: UInt32(CK_CPU_AMD))
    /// The vendor is Intel.
    public static let intel = CPUFeatures(rawValue: UInt32(CK_CPU_INTEL))

    /// This machine's features.
    public static let current = CPUFeatures(rawValue: ck_cpu_features())

    /// The names of the features present, e.g. `avx2 avx512 avx512_bf16`.
    public var description: String {
        let names: [(CPUFeatures, String)] = [
            (.avx2FMA, "avx2"), (.avx512, "avx512"), (.avx512BF16, "avx512_bf16"), (.avx512VNNI, "avx512_vnni"),
            (.avxVNNI, "avx_vnni"), (.amxBF16, "amx_bf16"), (.amxInt8, "amx_int8"),
        ]
        let present = names.filter { contains($0.0) }.map(\.1)
        return present.isEmpty ? "baseline" : present.joined(separator: " ")
    }
}
