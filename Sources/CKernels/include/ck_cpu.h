// The one CPU-feature probe: what the processor and the operating system let our kernels use.
#ifndef SWIFTVIT_CK_CPU_H
#define SWIFTVIT_CK_CPU_H

#ifdef __cplusplus
extern "C" {
#endif

/// Feature bits of `ck_cpu_features()`; each is set only when the OS also saves the registers.
enum {
    CK_CPU_AVX2_FMA = 1 << 0,     // AVX2 + FMA3 (+ F16C for conversions)
    CK_CPU_AVX512 = 1 << 1,       // AVX-512 F, DQ, BW, VL
    CK_CPU_AVX512_BF16 = 1 << 2,  // vdpbf16ps (Cooper Lake, Sapphire Rapids, Zen 4/5)
    CK_CPU_AVX512_VNNI = 1 << 3,  // vpdpbusd on zmm (Cascade Lake, Ice Lake, Zen 4/5)
    CK_CPU_AVX_VNNI = 1 << 4,     // vpdpbusd on ymm, VEX-encoded (Alder Lake, Zen 5)
    CK_CPU_AMX_BF16 = 1 << 5,     // AMX tiles with BF16 (Sapphire Rapids+), tile state granted
    CK_CPU_AMX_INT8 = 1 << 6,     // AMX tiles with INT8, tile state granted
    CK_CPU_AMD = 1 << 16,         // vendor AuthenticAMD
    CK_CPU_INTEL = 1 << 17,       // vendor GenuineIntel
};

/// The feature bits of this CPU (0 on other architectures). Computed once; cheap afterwards.
/// Asking for AMX makes the process request the tile state from Linux (arch_prctl), once.
unsigned int ck_cpu_features(void);

/// One spin-wait hint (x86 `pause`, Arm `yield`): lets the core save power and the sibling
/// hyperthread run while a thread polls for work.
static inline void ck_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

#ifdef __cplusplus
}
#endif

#endif
