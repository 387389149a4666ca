// The GEMM kernel, written once over vector_math.h's generic vector and included by one .c file per
// instruction set, which sets CK_WIDTH, CK_PREFIX, CK_STRIP (rows per tile) and the target attribute.
//
// A tile is CK_STRIP rows × two vectors of columns (CK_PANEL): 2·CK_STRIP accumulators in registers,
// and per k one pair of vector loads from the packed B panel and CK_STRIP broadcasts from the packed
// A strip. Each accumulator sums its k in order, with one fused multiply-add per k, in blocks of
// CK_K_BLOCK (see ck_gemm.h).
#include "vector_math.h"

#include "gemm_common.h"

// One tile of `rows` (≤ CK_STRIP, a constant after inlining) rows and `columns` (≤ CK_PANEL) columns
// at (row, column) of the product.
// A's element (i, step) is a[i·row_stride + step·step_stride]: (1, CK_STRIP) in a packed strip,
// (lda, 1) read in place.
INLINE void tile(const int rows, const ck_gemm_problem *p, const float *restrict a, size_t row_stride,
                 size_t step_stride, const float *restrict b, size_t row, size_t column, size_t columns) {
    // K is summed in blocks of CK_K_BLOCK steps: each block in its own accumulators, then added to
    // the running total. That bounds the rounding error's growth by the block length rather than by
    // K (as blocked BLAS libraries, and so PyTorch, effectively do), at the cost of a few vector adds
    // per block.
    vf low[CK_STRIP], high[CK_STRIP], total_low[CK_STRIP], total_high[CK_STRIP];
    const size_t k = p->k;
    for (size_t block = 0; block == 0 || block < k; block += CK_K_BLOCK) {
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) low[i] = high[i] = splat(0);
        const size_t end = block + CK_K_BLOCK < k ? block + CK_K_BLOCK : k;
        for (size_t step = block; step < end; step++) {
            const vf b0 = load_aligned(b + step * CK_PANEL), b1 = load_aligned(b + step * CK_PANEL + CK_WIDTH);
            const float *as = a + step * step_stride;
#pragma clang loop unroll(full)
            for (int i = 0; i < rows; i++) {
                const vf ai = splat(as[i * row_stride]);
                low[i] = fma_v(ai, b0, low[i]);
                high[i] = fma_v(ai, b1, high[i]);
            }
        }
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            total_low[i] = block == 0 ? low[i] : total_low[i] + low[i];
            total_high[i] = block == 0 ? high[i] : total_high[i] + high[i];
        }
    }
    store_tile(rows, total_low, total_high, p, row, column, columns);
}

// Dispatches a strip's real row count to the tile compiled for it.
static void strip_tile(size_t rows, const ck_gemm_problem *p, const void *a_bytes, const void *b_bytes, size_t row,
                       size_t column, size_t columns) {
    const float *a = a_bytes, *b = b_bytes;
    const int packed = p->a_is_packed;
    switch (rows) {
#define CK_TILE_CASE(n)                                                                 \
    case n:                                                                             \
        if (packed) tile(n, p, a, 1, CK_STRIP, b, row, column, columns);                \
        else tile(n, p, a, p->lda, 1, b, row, column, columns);                         \
        break;
    CK_TILE_CASE(1) CK_TILE_CASE(2) CK_TILE_CASE(3) CK_TILE_CASE(4) CK_TILE_CASE(5) CK_TILE_CASE(6)
#if CK_STRIP > 6
    CK_TILE_CASE(7) CK_TILE_CASE(8) CK_TILE_CASE(9) CK_TILE_CASE(10) CK_TILE_CASE(11) CK_TILE_CASE(12)
#endif
#undef CK_TILE_CASE
    default: break;
    }
}

void CK_NAME(gemm)(const ck_gemm_problem *p, size_t first_panel, size_t end_panel) {
    const size_t a_strip = p->a_is_packed ? p->k * CK_STRIP * sizeof(float) : CK_STRIP * p->lda * sizeof(float);
    drive(p, first_panel, end_panel, strip_tile, p->a, a_strip, p->k * CK_STRIP * sizeof(float),
          p->packed_b, p->k * CK_PANEL * sizeof(float));
}

// As many independent accumulators as a tile has, each a chain of FMAs on registers: nothing but
// the FMA units' throughput limits it. Returns seconds for `iterations` rounds.
#define CK_PEAK_CHAINS (2 * CK_STRIP)
double CK_NAME(fma_peak)(uint64_t iterations) {
    vf acc[CK_PEAK_CHAINS];
    for (int i = 0; i < CK_PEAK_CHAINS; i++) acc[i] = splat((float)i * 1e-3f);
    const vf x = splat(0.999999f), y = splat(1e-7f);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (uint64_t round = 0; round < iterations; round++) {
        for (int i = 0; i < CK_PEAK_CHAINS; i++) acc[i] = fma_v(acc[i], x, y);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    vf sum = splat(0);
    for (int i = 0; i < CK_PEAK_CHAINS; i++) sum += acc[i];
    volatile float sink = sum[0];
    (void)sink;
    return (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
}
