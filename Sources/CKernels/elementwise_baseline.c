// The kernels compiled for the portable baseline (4 floats per vector: SSE2 on x86-64, NEON on
// Arm): what runs where neither AVX2 nor AVX-512 is available.
#include "ck_vector.h"
#include <math.h>

#define CK_WIDTH 4
#define CK_PREFIX ck_baseline_
#include "elementwise_bodies.h"
