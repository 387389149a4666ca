// Our GEMM: C = epilogue(α · A · B) with B packed once into column panels.
//
// Layouts (all floats, row-major):
// - B (K × N) is packed into ⌈N / nr⌉ panels; panel p holds columns p·nr ..< p·nr + nr for every k,
//   k-major: `packed[p·K·nr + k·nr + j] = B[k, p·nr + j]` (zero beyond N). The panel width `nr` is
//   the kernel family's (32 for AVX-512, 16 for AVX2).
// - A (M × K) is packed per product into ⌈M / mr⌉ strips; strip s holds rows s·mr ..< s·mr + mr,
//   k-major: `packed[s·K·mr + k·mr + i] = A[s·mr + i, k]` (zero beyond M).
//
// Every output element is computed in one order only: K in blocks of 256 steps, each block summed
// in its own accumulator from 0 by fma(A[i,k], B[k,j], acc) for k in order and then added to the
// running total; then ×α, + bias[j], the activation, + residual[i,j]. No other order exists
// anywhere, whichever kernel family, tile, panel range or thread computes it, so a product's bits do
// not depend on the thread count, the split, the batch (M) or the instruction set.
//
// Reduced precision (the same panels and strips, in 32-bit words):
// - bfloat16: a word holds two consecutive k (low half k, high half k + 1), rounded to nearest even;
//   `ck_packed_b_words` words for B; A is packed per product by `*_pack_a_bf16`.
// - int8: a word holds four consecutive k. B (weights) is quantised per output column,
//   s8 = round(b / s) with s = max|b| / 127, its scale and Σₖ s8 kept per column; A per row as u8
//   with a scale and a zero point z (`*_quantize_a_int8`: a ≈ (u8 − z)·s_row). C = (Σ u8·s8 −
//   z·Σ s8) · s_row · s_column, summed exactly in 32-bit integers, then the epilogue.
#ifndef SWIFTVIT_CK_GEMM_H
#define SWIFTVIT_CK_GEMM_H

#include <stddef.h>
#include <stdint.h>
#include "ck_vector.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The register-blocked kernels, by instruction set; each has its own panel width and strip height.
typedef enum {
    CK_GEMM_AVX2 = 1,    // 6 × 16 tiles (12 ymm accumulators)
    CK_GEMM_AVX512 = 2,  // 12 × 32 tiles (24 zmm accumulators)
} ck_gemm_family;

/// Panel width (columns of B per panel) of a family.
size_t ck_gemm_panel_width(ck_gemm_family family);
/// Strip height (rows of A per strip) of a family.
size_t ck_gemm_strip_height(ck_gemm_family family);

/// Floats of a packed K × N matrix with panels `nr` wide.
size_t ck_packed_b_count(size_t k, size_t n, size_t nr);
/// Packs the columns of panels `first_panel ..< end_panel` of B (K × N) into `packed` (laid out
/// for the whole matrix). `b_transposed`: B is given as Bᵀ, i.e. `b[j·ldb + k]` (PyTorch's `[out,
/// in]` weights); otherwise `b[k·ldb + j]`.
void ck_pack_b(const float *b, size_t ldb, int b_transposed, size_t k, size_t n, size_t nr,
               size_t first_panel, size_t end_panel, float *packed);
/// The element format of packed operands.
typedef enum {
    CK_FORMAT_F32 = 0,
    CK_FORMAT_BF16 = 1,
    CK_FORMAT_INT8 = 2,
} ck_gemm_format;

/// 32-bit words of a packed K × N matrix of `format` with panels `nr` wide (floats for F32).
size_t ck_packed_b_words(size_t k, size_t n, size_t nr, ck_gemm_format format);
/// Packs panels `first_panel ..< end_panel` of B (as for ck_pack_b) as bfloat16 pairs.
void ck_pack_b_bf16(const float *b, size_t ldb, int b_transposed, size_t k, size_t n, size_t nr,
                    size_t first_panel, size_t end_panel, uint32_t *packed);
/// Packs panels `first_panel ..< end_panel` of B as s8 quads, writing each column's scale and
/// Σₖ s8 into `scales[j]` and `offsets[j]`.
void ck_pack_b_int8(const float *b, size_t ldb, int b_transposed, size_t k, size_t n, size_t nr,
                    size_t first_panel, size_t end_panel, uint32_t *packed, float *scales, int32_t *offsets);

/// Floats of a packed M × K matrix with strips `mr` high.
size_t ck_packed_a_count(size_t m, size_t k, size_t mr);
/// Packs strips `first_strip ..< end_strip` of A (M × K, `a[i·lda + k]`) into `packed`.
void ck_pack_a(const float *a, size_t lda, size_t m, size_t k, size_t mr, size_t first_strip,
               size_t end_strip, float *packed);

/// One product: rows 0 ..< M of C, columns of panels `first_panel ..< end_panel`.
typedef struct {
    size_t m, n, k;
    const float *a;         // A itself (a[i·lda + k]), or packed by ck_pack_a with the family's strip height
    size_t lda;
    int a_is_packed;
    const float *packed_b;  // from ck_pack_b with the family's panel width
    float *c;
    size_t ldc;
    ck_epilogue epilogue;
    size_t a_block_bytes;   // packed A taken in blocks of about this size (a share of L2)
    const float *a_scales;    // int8: each row's scale
    const int32_t *a_zero_points; // int8: each row's zero point
    const float *b_scales;    // int8: each column's scale
    const int32_t *b_offsets; // int8: each column's Σₖ s8
    uint32_t *c_packed;       // when set, C is stored here instead, rounded to bfloat16 pairs in strips
                              // (`*_pack_a_bf16`'s layout with K = n): the A of a next bfloat16 product
} ck_gemm_problem;

/// Computes the panels `first_panel ..< end_panel` of `problem` on the calling thread. `a` and
/// `packed_b` hold floats for `*_gemm`, pair words for `*_gemm_bf16`, quad words for `*_gemm_int8`
/// (cast to `const float *`; A always packed for the last two).
void ck_avx2_gemm(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
void ck_avx512_gemm(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
/// Float32 products over B packed as bfloat16 pairs (`*_gemm_bf16_weights`: A in Float32, read in
/// place or packed as for `*_gemm`; the same bits as `*_gemm` over the bfloat16-rounded B).
void ck_avx2_gemm_bf16_weights(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
void ck_avx512_gemm_bf16_weights(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
void ck_avx2_gemm_bf16(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
void ck_avx512_gemm_bf16(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
void ck_avx512bf16_gemm_bf16(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
void ck_avx2_gemm_int8(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
void ck_avx512_gemm_int8(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
void ck_avx512vnni_gemm_int8(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);

/// Packs strips `first_strip ..< end_strip` of A (M × K) as bfloat16 pairs, strips as high as the
/// family's (6 for avx2, 12 for avx512).
void ck_avx2_pack_a_bf16(const float *a, size_t lda, size_t m, size_t k, size_t first_strip, size_t end_strip,
                         uint32_t *packed);
void ck_avx512_pack_a_bf16(const float *a, size_t lda, size_t m, size_t k, size_t first_strip,
                           size_t end_strip, uint32_t *packed);
/// Packs panels `first_panel ..< end_panel` of B as `ck_pack_b_bf16` does (the same words), with the
/// family's panel width (16 for avx2, 32 for avx512), vectorised.
void ck_avx2_pack_b_bf16(const float *b, size_t ldb, int b_transposed, size_t k, size_t n, size_t first_panel,
                         size_t end_panel, uint32_t *packed);
void ck_avx512_pack_b_bf16(const float *b, size_t ldb, int b_transposed, size_t k, size_t n, size_t first_panel,
                           size_t end_panel, uint32_t *packed);
/// Quantises strips `first_strip ..< end_strip` of A to u8 quads, each row's scale and zero point
/// into `scales[row]` and `zero_points[row]`.
void ck_avx2_quantize_a_int8(const float *a, size_t lda, size_t m, size_t k, size_t first_strip,
                             size_t end_strip, uint32_t *packed, float *scales, int32_t *zero_points);
void ck_avx512_quantize_a_int8(const float *a, size_t lda, size_t m, size_t k, size_t first_strip,
                               size_t end_strip, uint32_t *packed, float *scales, int32_t *zero_points);

/// Seconds one thread takes for `iterations` rounds of independent vector FMAs on registers only
/// (2·strip height of them per round, as many as a tile's accumulators): the FMA roof of a family.
double ck_avx2_fma_peak(uint64_t iterations);
double ck_avx512_fma_peak(uint64_t iterations);
/// The same for the native reduced-precision kernels' instructions (24 chains of `vdpbf16ps`, or of
/// `vpdpbusd`, per round): the roofs of the bfloat16 and int8 kernels. Only where the CPU has them.
double ck_avx512bf16_dot_peak(uint64_t iterations);
double ck_avx512vnni_dot_peak(uint64_t iterations);

#ifdef __cplusplus
}
#endif

#endif
