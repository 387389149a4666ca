// The kernels compiled for AVX-512 (16 floats per vector).
#include "ck_vector.h"
#include <math.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CK_MASKED_MEMORY 1  // vector_math.h: masked row tails
#endif

#define CK_WIDTH 16
#define CK_PREFIX ck_avx512_
#if defined(__x86_64__) || defined(__i386__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))), \
                             apply_to = function)
#endif
#include "elementwise_bodies.h"
#if defined(__x86_64__) || defined(__i386__)
#pragma clang attribute pop
#endif
