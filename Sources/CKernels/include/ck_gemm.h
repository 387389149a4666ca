// Our GEMM: C = epilogue(α · A · B) with B packed once into column panels.
//
// Layouts (all floats, row-major):
// - B (K × N) is packed into ⌈N / nr⌉ panels; panel p holds columns p·nr ..< p·nr + nr for every k,
//   k-major: `packed[p·K·nr + k·nr + j] = B[k, p·nr + j]` (zero beyond N). The panel width `nr` is
//   the kernel family's (32 for AVX-512, 16 for AVX2).
// - A (M × K) is packed per product into ⌈M / mr⌉ strips; strip s holds rows s·mr ..< s·mr + mr,
//   k-major: `packed[s·K·mr + k·mr + i] = A[s·mr + i, k]` (zero beyond M).
//
// Every output element is one accumulator: 0, then fma(A[i,k], B[k,j], acc) for k = 0, 1, …, K−1,
// then ×α, + bias[j], the activation, + residual[i,j]. No other order exists anywhere, whichever
// kernel family, tile, panel range or thread computes it, so a product's bits do not depend on the
// thread count, the split, the batch (M) or the instruction set.
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
} ck_gemm_problem;

/// Computes the panels `first_panel ..< end_panel` of `problem` on the calling thread.
void ck_avx2_gemm(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);
void ck_avx512_gemm(const ck_gemm_problem *problem, size_t first_panel, size_t end_panel);

/// Seconds one thread takes for `iterations` rounds of independent vector FMAs on registers only
/// (2·strip height of them per round, as many as a tile's accumulators): the FMA roof of a family.
double ck_avx2_fma_peak(uint64_t iterations);
double ck_avx512_fma_peak(uint64_t iterations);

#ifdef __cplusplus
}
#endif

#endif
