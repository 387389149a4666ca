// The bfloat16 GEMM kernel on AVX512-BF16's `vdpbf16ps` (Cooper Lake, Sapphire Rapids, Zen 4/5).
#include "ck_gemm.h"
#include <immintrin.h>
#include <math.h>
#include <time.h>

#define CK_WIDTH 16
#if defined(__x86_64__)
#define CK_MASKED_MEMORY 1  // vector_math.h: masked row tails
#endif
#define CK_STRIP 12
#define CK_PREFIX ck_avx512bf16_
#define CK_BF16_NATIVE 1
#define CK_DEFINE_BF16 1
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512bf16,avx2,fma"))), apply_to = function)
#endif
#include "vector_math.h"
#include "gemm_lowp_bodies.h"

// As many independent `vdpbf16ps` chains as a tile has accumulators, on registers only: the roof of
// the bfloat16 kernel (each instruction is 32 multiply-adds). Returns seconds for `iterations` rounds.
double ck_avx512bf16_dot_peak(uint64_t iterations) {
    vf acc[2 * CK_STRIP];
    for (int i = 0; i < 2 * CK_STRIP; i++) acc[i] = splat((float)i * 1e-3f);
    const __m512bh x = (__m512bh)splat_int(0x3F803F80);  // (1, 1) in bfloat16 pairs
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (uint64_t round = 0; round < iterations; round++) {
        for (int i = 0; i < 2 * CK_STRIP; i++) acc[i] = (vf)_mm512_dpbf16_ps((__m512)acc[i], x, x);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    float sum = 0;
    for (int i = 0; i < 2 * CK_STRIP; i++) sum += acc[i][0];
    volatile float sink = sum;
    (void)sink;
    return (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
}
#if defined(__x86_64__)
#pragma clang attribute pop
#endif
