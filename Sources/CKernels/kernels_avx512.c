// The kernels compiled for AVX-512 (16 floats per vector).
#include "ckernels.h"
#include <math.h>

#define SVK_WIDTH 16
#define SVK_PREFIX svk_avx512_
#if defined(__x86_64__) || defined(__i386__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))), \
                             apply_to = function)
#endif
#include "kernel_bodies.h"
#if defined(__x86_64__) || defined(__i386__)
#pragma clang attribute pop
#endif
