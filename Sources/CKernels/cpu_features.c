// The one CPU-feature probe: CPUID for what the processor has, XCR0 for what the OS saves on a
// context switch (without the OS bits, using the registers is unsafe even where CPUID advertises
// the instructions), and Linux's arch_prctl for AMX's tile state, which a process must request.
#include "ck_cpu.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

// Linux grants AMX's 8 KB of tile state per process on request (ARCH_REQ_XCOMP_PERM, XTILEDATA).
static int request_amx_state(void) {
    const long arch_req_xcomp_perm = 0x1023, xfeature_xtiledata = 18;
    return syscall(SYS_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata) == 0;
}

static unsigned int probe(void) {
    unsigned int eax, ebx, ecx, edx, features = 0;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return 0;
    char vendor[13] = {0};
    memcpy(vendor, &ebx, 4); memcpy(vendor + 4, &edx, 4); memcpy(vendor + 8, &ecx, 4);
    if (strcmp(vendor, "AuthenticAMD") == 0) features |= CK_CPU_AMD;
    if (strcmp(vendor, "GenuineIntel") == 0) features |= CK_CPU_INTEL;
    const unsigned int max_leaf = eax;

    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return features;
    const int osxsave = (ecx >> 27) & 1, fma = (ecx >> 12) & 1, avx = (ecx >> 28) & 1, f16c = (ecx >> 29) & 1;
    if (!osxsave || !avx || max_leaf < 7) return features;
    const unsigned long long xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) return features;  // XMM and YMM state

    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const unsigned int leaf7_ebx = ebx, leaf7_ecx = ecx, leaf7_edx = edx;
    __cpuid_count(7, 1, eax, ebx, ecx, edx);
    const unsigned int leaf7_1_eax = eax;

    if (((leaf7_ebx >> 5) & 1) && fma && f16c) features |= CK_CPU_AVX2_FMA;
    if (((leaf7_1_eax >> 4) & 1) && (features & CK_CPU_AVX2_FMA)) features |= CK_CPU_AVX_VNNI;

    const int avx512 = ((leaf7_ebx >> 16) & 1) && ((leaf7_ebx >> 17) & 1)  // F, DQ
                       && ((leaf7_ebx >> 30) & 1) && ((leaf7_ebx >> 31) & 1);  // BW, VL
    const int os_avx512 = (xcr0 & 0xE6) == 0xE6;  // opmask, ZMM0–15 upper halves, ZMM16–31
    if (avx512 && os_avx512 && (features & CK_CPU_AVX2_FMA)) {
        features |= CK_CPU_AVX512;
        if ((leaf7_ecx >> 11) & 1) features |= CK_CPU_AVX512_VNNI;
        if ((leaf7_1_eax >> 5) & 1) features |= CK_CPU_AVX512_BF16;
    }

    const int amx_tile = (leaf7_edx >> 24) & 1, amx_bf16 = (leaf7_edx >> 22) & 1, amx_int8 = (leaf7_edx >> 25) & 1;
    const int os_amx = (xcr0 & 0x60000) == 0x60000;  // XTILECFG and XTILEDATA
    if (amx_tile && os_amx && (features & CK_CPU_AVX512) && request_amx_state()) {
        if (amx_bf16) features |= CK_CPU_AMX_BF16;
        if (amx_int8) features |= CK_CPU_AMX_INT8;
    }
    return features;
}

unsigned int ck_cpu_features(void) {
    static int computed = 0;
    static volatile unsigned int features = 0;
    if (!__atomic_load_n(&computed, __ATOMIC_ACQUIRE)) {
        features = probe();
        __atomic_store_n(&computed, 1, __ATOMIC_RELEASE);
    }
    return features;
}
#else
unsigned int ck_cpu_features(void) { return 0; }
#endif
