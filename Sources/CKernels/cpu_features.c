// Run-time detection of the vector instruction sets the kernels are compiled for.
#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// XCR0: which register files the OS saves on context switch. Without the OS bits, using the
// registers is unsafe even where CPUID advertises the instructions.
static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

svk_instruction_set svk_detect_instruction_set(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return SVK_BASELINE;
    const int has_osxsave = (ecx >> 27) & 1, has_fma = (ecx >> 12) & 1, has_avx = (ecx >> 28) & 1;
    if (!has_osxsave || !has_avx || !has_fma) return SVK_BASELINE;
    const unsigned long long xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) return SVK_BASELINE;  // XMM and YMM state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return SVK_BASELINE;
    const int has_avx2 = (ebx >> 5) & 1;
    if (!has_avx2) return SVK_BASELINE;
    const int has_avx512f = (ebx >> 16) & 1, has_avx512dq = (ebx >> 17) & 1;
    const int has_avx512bw = (ebx >> 30) & 1, has_avx512vl = (ebx >> 31) & 1;
    const int os_avx512 = (xcr0 & 0xE6) == 0xE6;  // opmask, ZMM0–15 upper halves, ZMM16–31
    if (has_avx512f && has_avx512dq && has_avx512bw && has_avx512vl && os_avx512) return SVK_AVX512;
    return SVK_AVX2;
}
#else
svk_instruction_set svk_detect_instruction_set(void) { return SVK_BASELINE; }
#endif
