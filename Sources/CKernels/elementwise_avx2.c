// The kernels compiled for AVX2 + FMA (8 floats per vector).
#include "ck_vector.h"
#include <math.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CK_MASKED_MEMORY 1  // vector_math.h: masked row tails
#endif

#define CK_WIDTH 8
#define CK_PREFIX ck_avx2_
#if defined(__x86_64__) || defined(__i386__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#endif
#include "elementwise_bodies.h"
#if defined(__x86_64__) || defined(__i386__)
#pragma clang attribute pop
#endif
