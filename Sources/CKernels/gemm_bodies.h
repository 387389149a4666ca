// The GEMM kernel, written once over vector_math.h's generic vector and included by one .c file per
// instruction set, which sets CK_WIDTH, CK_PREFIX, CK_STRIP (rows per tile) and the target attribute.
//
// A tile is CK_STRIP rows × two vectors of columns (CK_PANEL): 2·CK_STRIP accumulators in registers,
// and per k one pair of vector loads from the packed B panel and CK_STRIP broadcasts from the packed
// A strip. Each accumulator sums its k in order, with one fused multiply-add per k, in blocks of
// CK_K_BLOCK (see ck_gemm.h).
#include "vector_math.h"

#define CK_PANEL (2 * CK_WIDTH)
#ifndef CK_K_BLOCK
#define CK_K_BLOCK 256
#endif

// The aligned vector at `p` (packed panels are 64-byte aligned and CK_PANEL floats wide).
INLINE vf load_aligned(const float *p) { return *(const vf *)p; }

// Finishes one accumulator row segment of `lanes` columns and stores it at `c`.
INLINE void finish(vf x, const float *bias, const float *residual, const ck_epilogue *e, size_t lanes,
                   float *c) {
    x *= e->alpha;
    if (bias) x += lanes == CK_WIDTH ? load(bias) : load_partial(bias, lanes, 0);
    x = activate(e->activation, x);
    if (residual) x += lanes == CK_WIDTH ? load(residual) : load_partial(residual, lanes, 0);
    if (lanes == CK_WIDTH) store(c, x);
    else store_partial(c, x, lanes);
}

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
    const ck_epilogue *e = &p->epilogue;
    const size_t low_lanes = columns < CK_WIDTH ? columns : CK_WIDTH;
    const size_t high_lanes = columns > CK_WIDTH ? columns - CK_WIDTH : 0;
    const float *bias = e->bias ? e->bias + column : NULL;
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        float *c = p->c + (row + i) * p->ldc + column;
        const float *residual = e->residual ? e->residual + (row + i) * e->ldr + column : NULL;
        finish(total_low[i], bias, residual, e, low_lanes, c);
        if (high_lanes)
            finish(total_high[i], bias ? bias + CK_WIDTH : NULL, residual ? residual + CK_WIDTH : NULL, e, high_lanes,
                   c + CK_WIDTH);
    }
}

// Dispatches a strip's real row count to the tile compiled for it.
static void strip_tile(size_t rows, const ck_gemm_problem *p, const float *a, const float *b, size_t row,
                       size_t column, size_t columns) {
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
    const size_t strips = (p->m + CK_STRIP - 1) / CK_STRIP;
    // Strips are taken in blocks that stay in L2 while every panel of the range passes over them;
    // each panel then streams from L3 once per block.
    const size_t strip_bytes = p->k * CK_STRIP * sizeof(float);
    size_t block = p->a_block_bytes / (strip_bytes ? strip_bytes : 1);
    if (block < 1) block = 1;
    for (size_t first_strip = 0; first_strip < strips; first_strip += block) {
        const size_t end_strip = first_strip + block < strips ? first_strip + block : strips;
        for (size_t panel = first_panel; panel < end_panel; panel++) {
            const size_t column = panel * CK_PANEL;
            const size_t columns = p->n - column < CK_PANEL ? p->n - column : CK_PANEL;
            const float *b = p->packed_b + panel * p->k * CK_PANEL;
            for (size_t strip = first_strip; strip < end_strip; strip++) {
                const size_t row = strip * CK_STRIP;
                const size_t rows = p->m - row < CK_STRIP ? p->m - row : CK_STRIP;
                const float *a = p->a_is_packed ? p->a + strip * p->k * CK_STRIP : p->a + row * p->lda;
                strip_tile(rows, p, a, b, row, column, columns);
            }
        }
    }
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
