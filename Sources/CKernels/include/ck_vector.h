// SwiftViT's element-wise and row-wise kernels, compiled for the portable baseline, AVX2+FMA and
// AVX-512.
//
// Why C: Swift compiles SIMD types for the baseline x86-64 (SSE2) unless the whole module is
// built with -mavx2/-mavx512f, and SwiftPM refuses such `unsafeFlags` in a package that others
// depend on. Clang's per-function `target` attribute has no such restriction, so each kernel is
// written once over a generic vector (vector_math.h) and compiled once per instruction set; Tensors
// picks one at run time from what the CPU reports (ck_cpu.h).
//
// Every function works on caller-owned memory, never allocates, and runs on the calling thread.
#ifndef SWIFTVIT_CK_VECTOR_H
#define SWIFTVIT_CK_VECTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Element-wise functions of the epilogues; Tensors maps each `Activation` to one explicitly.
typedef enum {
    CK_ACTIVATION_GELU = 0,
    CK_ACTIVATION_GELU_TANH = 1,
    CK_ACTIVATION_RELU = 2,
    CK_ACTIVATION_SILU = 3,
    CK_ACTIVATION_QUICK_GELU = 4,
    CK_ACTIVATION_IDENTITY = 5,
} ck_activation;

/// What happens to each accumulator before it is stored.
typedef struct {
    float alpha;               // scales the product
    const float *bias;         // [N], added after α (NULL: none)
    ck_activation activation;  // applied after the bias
    const float *residual;     // added last: residual[i·ldr + j] (NULL: none; may equal C)
    size_t ldr;
} ck_epilogue;

#define CK_DECLARE_ELEMENTWISE(isa)                                                                  \
    /* rows × columns: c = act(α·x + bias) + residual (x may be c; residual may be c). */           \
    void ck_##isa##_epilogue_rows(const float *x, size_t ldx, float *c, size_t ldc, size_t rows,     \
                                  size_t columns, const ck_epilogue *epilogue);                      \
    /* `rows` rows of `count` floats, `stride` apart, each in place: exp(x − max) / Σ exp(x − max); */ \
    /* NaN anywhere in a row → that row all NaN. A row's bits do not depend on the rows beside it. */  \
    void ck_##isa##_softmax_rows(float *values, size_t rows, size_t count, size_t stride);          \
    /* softmax_rows over one packed strip's `rows` (≤ height ≤ 12) rows, stored as bfloat16 pair */  \
    /* words into the strip at `words` (ck_gemm.h; rows past `rows` 0) instead of back as floats */   \
    /* (the rows keep their exps): the words packing softmax_rows' output would give. */             \
    void ck_##isa##_softmax_strip_bf16(float *values, size_t rows, size_t count, size_t stride,      \
                                       uint32_t *words, size_t height);                            \
    /* output = (row − mean) / √(var + ε) · weight + bias (corrected two-pass statistics). */        \
    void ck_##isa##_layer_norm_row(const float *row, size_t count, const float *weight,              \
                                   const float *bias, float epsilon, float *output);               \
    /* `row_count` (≤ height ≤ 12) rows of one packed strip (ck_gemm.h), `ldr` apart, normalised */ \
    /* and rounded to bfloat16 pair words (an odd count's last high half 0; rows past row_count 0) */ \
    /* into `words`, the strip's first word: the words packing the Float32 output would give. */    \
    void ck_##isa##_layer_norm_strip_bf16(const float *rows, size_t ldr, size_t row_count, size_t count, \
                                          const float *weight, const float *bias, float epsilon,    \
                                          uint32_t *words, size_t height);

CK_DECLARE_ELEMENTWISE(baseline)
CK_DECLARE_ELEMENTWISE(avx2)
CK_DECLARE_ELEMENTWISE(avx512)

#undef CK_DECLARE_ELEMENTWISE

#ifdef __cplusplus
}
#endif

#endif
