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

// The bfloat16 kernel's roof: chains of `vdpbf16ps` (32 multiply-adds each) on registers.
CK_DEFINE_REGISTER_PEAK(ck_avx512bf16_dot_peak, vf, splat((float)i * 1e-3f),
                        const __m512bh x = (__m512bh)splat_int(0x3F803F80) /* (1, 1) in bfloat16 */,
                        (vf)_mm512_dpbf16_ps((__m512)acc[i], x, x))
#if defined(__x86_64__)
#pragma clang attribute pop
#endif
