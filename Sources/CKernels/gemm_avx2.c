// The GEMM kernels (Float32, and bfloat16 and int8 by emulation) compiled for AVX2 + FMA (tiles of 6 rows × 16 columns).
#include "ck_gemm.h"
#include <math.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define CK_WIDTH 8
#if defined(__x86_64__)
#define CK_MASKED_MEMORY 1  // vector_math.h: masked row tails
#endif
#define CK_STRIP 6
#define CK_PREFIX ck_avx2_
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#endif
#include "gemm_bodies.h"
#define CK_DEFINE_BF16 1
#define CK_DEFINE_INT8 1
#include "gemm_lowp_bodies.h"
#include "gemm_lowp_pack_bodies.h"
#if defined(__x86_64__)
#pragma clang attribute pop
#endif
