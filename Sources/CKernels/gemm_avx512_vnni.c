// The int8 GEMM kernel on AVX512-VNNI's `vpdpbusd` (Cascade Lake, Ice Lake, Sapphire Rapids, Zen 4/5).
#include "ck_gemm.h"
#include <immintrin.h>
#include <math.h>
#include <time.h>

#define CK_WIDTH 16
#if defined(__x86_64__)
#define CK_MASKED_MEMORY 1  // vector_math.h: masked row tails
#endif
#define CK_STRIP 12
#define CK_PREFIX ck_avx512vnni_
#define CK_INT8_NATIVE 1
#define CK_DEFINE_INT8 1
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512vnni,avx2,fma"))), apply_to = function)
#endif
#include "vector_math.h"
#include "gemm_lowp_bodies.h"

// As many independent `vpdpbusd` chains as a tile has accumulators, on registers only: the roof of
// the int8 kernel (each instruction is 64 multiply-adds). Returns seconds for `iterations` rounds.
double ck_avx512vnni_dot_peak(uint64_t iterations) {
    vi acc[2 * CK_STRIP];
    for (int i = 0; i < 2 * CK_STRIP; i++) acc[i] = splat_int(i);
    const __m512i x = (__m512i)splat_int(0x01010101);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (uint64_t round = 0; round < iterations; round++) {
        for (int i = 0; i < 2 * CK_STRIP; i++) acc[i] = (vi)_mm512_dpbusd_epi32((__m512i)acc[i], x, x);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    int sum = 0;
    for (int i = 0; i < 2 * CK_STRIP; i++) sum += acc[i][0];
    volatile int sink = sum;
    (void)sink;
    return (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
}
#if defined(__x86_64__)
#pragma clang attribute pop
#endif
