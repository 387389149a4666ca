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

// The int8 kernel's roof: chains of `vpdpbusd` (64 multiply-adds each) on registers.
CK_DEFINE_REGISTER_PEAK(ck_avx512vnni_dot_peak, vi, splat_int(i), const __m512i x = (__m512i)splat_int(0x01010101),
                        (vi)_mm512_dpbusd_epi32((__m512i)acc[i], x, x))
#if defined(__x86_64__)
#pragma clang attribute pop
#endif
