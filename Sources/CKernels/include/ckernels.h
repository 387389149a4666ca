// SwiftViT's element-wise and row-wise kernels compiled for AVX2+FMA and AVX-512.
//
// Why C: Swift compiles SIMD types for the baseline x86-64 (SSE2) unless the whole module is
// built with -mavx2/-mavx512f, and SwiftPM refuses such `unsafeFlags` in a package that others
// depend on. Clang's per-function `target` attribute has no such restriction, so each kernel is
// compiled here once per instruction set, and Tensors picks one at run time from what the CPU
// reports (`svk_detect_instruction_set`). The portable Swift kernels remain the fallback.
//
// Every function works on caller-owned memory, never allocates, and runs on the calling thread.
#ifndef SWIFTVIT_VECTOR_KERNELS_H
#define SWIFTVIT_VECTOR_KERNELS_H

#include <stddef.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction sets these kernels are compiled for, in increasing order.
typedef enum {
    SVK_BASELINE = 0,
    SVK_AVX2 = 1,    // AVX2 + FMA (Haswell, Zen 1 and later)
    SVK_AVX512 = 2,  // AVX-512 F/DQ/BW/VL (Skylake-SP, Ice Lake, Sapphire Rapids, Zen 4)
} svk_instruction_set;

/// The best instruction set both this CPU and the operating system (saved register state) support.
svk_instruction_set svk_detect_instruction_set(void);

/// Element-wise functions of `svk_*_activation_rows`; Tensors maps each `Activation` to one explicitly.
typedef enum {
    SVK_ACTIVATION_GELU = 0,
    SVK_ACTIVATION_GELU_TANH = 1,
    SVK_ACTIVATION_RELU = 2,
    SVK_ACTIVATION_SILU = 3,
    SVK_ACTIVATION_QUICK_GELU = 4,
    SVK_ACTIVATION_IDENTITY = 5,
} svk_activation;

#define SVK_DECLARE_KERNELS(isa)                                                                     \
    /* rows × columns at stride `leading`, in place: x = f(x + bias[column]) (bias may be NULL). */   \
    void svk_##isa##_activation_rows(svk_activation activation, float *first, size_t rows,           \
                                     size_t columns, size_t leading, const float *bias);             \
    /* One contiguous row, in place: exp(x − max) / Σ exp(x − max); NaN anywhere → all NaN. */        \
    void svk_##isa##_softmax_row(float *values, size_t count);                                       \
    /* row += delta + delta_bias (either may be NULL), in place. */                                  \
    void svk_##isa##_add_row(float *row, const float *delta, const float *delta_bias, size_t count); \
    /* output = (row − mean) / √(var + ε) · weight + bias (corrected two-pass statistics). */        \
    void svk_##isa##_layer_norm_row(const float *row, size_t count, const float *weight,             \
                                    const float *bias, float epsilon, float *output);

SVK_DECLARE_KERNELS(avx2)
SVK_DECLARE_KERNELS(avx512)

#undef SVK_DECLARE_KERNELS

#ifdef __cplusplus
}
#endif

#endif
