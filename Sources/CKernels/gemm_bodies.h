// The GEMM kernel, written once over vector_math.h's generic vector and included by one .c file per
// instruction set, which sets CK_WIDTH, CK_PREFIX, CK_STRIP (rows per tile) and the target attribute.
//
// A tile is CK_STRIP rows × two vectors of columns (CK_PANEL): 2·CK_STRIP accumulators in registers,
// and per k one pair of vector loads from the packed B panel and CK_STRIP broadcasts from the packed
// A strip. Each accumulator sums its k in order, with one fused multiply-add per k, in blocks of
// CK_K_BLOCK (see ck_gemm.h).
#include "vector_math.h"

#include "gemm_common.h"

// One step of a Float32 tile, once the step's two vectors of B are loaded (b0, b1): each row's element
// of A, broadcast, times both (times b0 only unless `wide`), into that row's accumulators.
#define CK_MULTIPLY_ROWS(step, b0, b1, wide)                                                         \
    const float *as = a + (step) * step_stride;                                                      \
    _Pragma("clang loop unroll(full)")                                                               \
    for (int i = 0; i < rows; i++) {                                                                 \
        const vf ai = splat(as[i * row_stride]);                                                     \
        low[i] = fma_v(ai, b0, low[i]);                                                              \
        if (wide) high[i] = fma_v(ai, b1, high[i]);                                                  \
    }

// One tile of `rows` (≤ CK_STRIP, a constant after inlining) rows and `columns` (≤ CK_PANEL) columns
// at (row, column) of the product. A's element (i, step) is a[i·row_stride + step·step_stride]:
// (1, CK_STRIP) in a packed strip, (lda, 1) read in place. `wide` (a constant after inlining) is 0
// when the panel holds at most one vector of real columns (N's last panel, e.g. the 5 columns past
// 6 × 32 of a 197-token score row): then only the low accumulators run — the same steps, so the
// same bits, at half the multiply-adds.
INLINE void tile(const int rows, const int wide, const ck_gemm_problem *p, const float *restrict a,
                 size_t row_stride, size_t step_stride, const float *restrict b, size_t row, size_t column,
                 size_t columns) {
#define CK_F32_STEP(step)                                                                            \
    const vf b0 = load_aligned(b + step * CK_PANEL), b1 = load_aligned(b + step * CK_PANEL + CK_WIDTH); \
    CK_MULTIPLY_ROWS(step, b0, b1, wide)
    CK_BLOCKED_TILE(rows, p->k, CK_K_BLOCK, CK_F32_STEP)
#undef CK_F32_STEP
    store_tile(rows, total_low, total_high, p, row, column, columns);
}

// `tile` of the width the panel's real columns need.
INLINE void tile_of_width(const int rows, const ck_gemm_problem *p, const float *restrict a, size_t row_stride,
                          size_t step_stride, const float *restrict b, size_t row, size_t column, size_t columns) {
    if (columns > CK_WIDTH) tile(rows, 1, p, a, row_stride, step_stride, b, row, column, columns);
    else tile(rows, 0, p, a, row_stride, step_stride, b, row, column, columns);
}

// A tile of a strip packed by ck_pack_a, or of A read in place.
INLINE void packed_or_direct_tile(const int rows, const ck_gemm_problem *p, const void *a, const void *b, size_t row,
                                  size_t column, size_t columns) {
    if (p->a_is_packed) tile_of_width(rows, p, a, 1, CK_STRIP, b, row, column, columns);
    else tile_of_width(rows, p, a, p->lda, 1, b, row, column, columns);
}

CK_STRIP_DISPATCH(strip_tile, packed_or_direct_tile)

void CK_NAME(gemm)(const ck_gemm_problem *p, size_t first_panel, size_t end_panel) {
    const size_t a_strip = p->a_is_packed ? p->k * CK_STRIP * sizeof(float) : CK_STRIP * p->lda * sizeof(float);
    drive(p, first_panel, end_panel, strip_tile, p->a, a_strip, p->k * CK_STRIP * sizeof(float),
          p->packed_b, p->k * CK_PANEL * sizeof(float));
}

// Float32 products with bfloat16-stored weights (`WeightPrecision.bfloat16`: half the memory): B
// in bfloat16 pair words, each widened exactly to Float32 as it is loaded, A in Float32, the same
// steps in the same order as `gemm` — so the bits equal `gemm` over the rounded weights.
INLINE vf widen_half(vi words, size_t step) {
    return step % 2 ? (vf)(words & (int)0xFFFF0000) : (vf)(words << 16);
}

INLINE void tile_bf16_weights(const int rows, const ck_gemm_problem *p, const float *restrict a, size_t row_stride,
                              size_t step_stride, const uint32_t *restrict b, size_t row, size_t column,
                              size_t columns) {
#define CK_BF16W_STEP(step)                                                                          \
    const uint32_t *words = b + (step / 2) * CK_PANEL;                                               \
    const vf b0 = widen_half(*(const vi *)words, step), b1 = widen_half(*(const vi *)(words + CK_WIDTH), step); \
    CK_MULTIPLY_ROWS(step, b0, b1, 1)
    CK_BLOCKED_TILE(rows, p->k, CK_K_BLOCK, CK_BF16W_STEP)
#undef CK_BF16W_STEP
    store_tile(rows, total_low, total_high, p, row, column, columns);
}

INLINE void packed_or_direct_bf16_weights_tile(const int rows, const ck_gemm_problem *p, const void *a, const void *b,
                                               size_t row, size_t column, size_t columns) {
    if (p->a_is_packed) tile_bf16_weights(rows, p, a, 1, CK_STRIP, b, row, column, columns);
    else tile_bf16_weights(rows, p, a, p->lda, 1, b, row, column, columns);
}

CK_STRIP_DISPATCH(strip_tile_bf16_weights, packed_or_direct_bf16_weights_tile)

void CK_NAME(gemm_bf16_weights)(const ck_gemm_problem *p, size_t first_panel, size_t end_panel) {
    const size_t a_strip = p->a_is_packed ? p->k * CK_STRIP * sizeof(float) : CK_STRIP * p->lda * sizeof(float);
    drive(p, first_panel, end_panel, strip_tile_bf16_weights, p->a, a_strip, p->k * CK_STRIP * sizeof(float),
          p->packed_b, (p->k + 1) / 2 * CK_PANEL * 4);
}

// The Float32 FMA roof: chains of fused multiply-adds on registers.
CK_DEFINE_REGISTER_PEAK(CK_NAME(fma_peak), vf, splat((float)i * 1e-3f),
                        const vf x = splat(0.999999f); const vf y = splat(1e-7f), fma_v(acc[i], x, y))
