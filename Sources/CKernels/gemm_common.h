// What every GEMM kernel body shares (included by gemm_bodies.h and gemm_lowp_bodies.h after
// vector_math.h): the panel width, the epilogue, the loop over strips and panels, and the roof loops.
#ifndef SWIFTVIT_GEMM_COMMON_H
#define SWIFTVIT_GEMM_COMMON_H

#define CK_PANEL (2 * CK_WIDTH)
#ifndef CK_K_BLOCK
#define CK_K_BLOCK 256
#endif

// The aligned vector at `p` (packed panels are 64-byte aligned and CK_PANEL floats wide).
INLINE vf load_aligned(const float *p) { return *(const vf *)p; }

// `activation` applied to `count` vectors in place. Called once per tile, out of line: inlined into
// every accumulator's epilogue, each activation took one copy per accumulator and strip height (the
// AVX-512 kernels' object was 1.48 MB, then 0.26 MB). No speed difference was measurable either way;
// the call costs a GELU tile a spill of its 24 accumulators, against ~9000 cycles of products.
static __attribute__((noinline)) void activate_vectors(ck_activation activation, vf *values, int count) {
    for (int i = 0; i < count; i++) values[i] = activate(activation, values[i]);
}

// α·x + bias of one accumulator row segment of `lanes` columns.
INLINE vf scale_and_bias(vf x, const float *bias, float alpha, size_t lanes) {
    x *= alpha;
    if (bias) x += lanes == CK_WIDTH ? load(bias) : load_partial(bias, lanes, 0);
    return x;
}

// x + the residual of one row segment of `lanes` columns (x itself without one).
INLINE vf with_residual(vf x, const float *residual, size_t lanes) {
    return residual ? x + (lanes == CK_WIDTH ? load(residual) : load_partial(residual, lanes, 0)) : x;
}

// Adds the residual to one finished row segment of `lanes` columns and stores it at `c`.
INLINE void add_residual_and_store(vf x, const float *residual, size_t lanes, float *c) {
    x = with_residual(x, residual, lanes);
    if (lanes == CK_WIDTH) store(c, x);
    else store_partial(c, x, lanes);
}

// Stores a finished tile (`x[2i]`, `x[2i + 1]`: row i's two segments, before the residual) into
// `p->c_packed` as bfloat16 pairs: the tile's rows start a strip (tiles are strips), its columns
// are pairs column / 2 … of each row. An odd N's last word gets 0 as its high half (the lane past
// N), and a last strip's rows past M are 0, as `*_pack_a_bf16` writes them. Out of line, like
// activate_vectors: inlined into every tile of every strip height and kernel, it tripled the
// kernels' code (AVX-512 object 0.26 → 0.79 MB) for the one product kind that stores packed rows.
static __attribute__((noinline)) void store_tile_packed(const int rows, const vf *x, const ck_gemm_problem *p,
                                                        size_t row, size_t column, size_t columns) {
    const ck_epilogue *e = &p->epilogue;
    const size_t low_lanes = columns < CK_WIDTH ? columns : CK_WIDTH;
    const size_t high_lanes = columns > CK_WIDTH ? columns - CK_WIDTH : 0;
    const size_t pairs = (p->n + 1) / 2;
    strip_chunk chunk;
    for (int i = 0; i < rows; i++) {
        const float *residual = e->residual ? e->residual + (row + i) * e->ldr + column : NULL;
        vf low = with_residual(x[2 * i], residual, low_lanes);
        vf high = high_lanes ? with_residual(x[2 * i + 1], residual ? residual + CK_WIDTH : NULL, high_lanes) : splat(0);
        // Lanes past `columns` are cleared, so a pad half is 0 whatever the epilogue made of it.
        if (low_lanes < CK_WIDTH) low = choose(lanes_under(low_lanes), low, splat(0));
        if (high_lanes < CK_WIDTH) high = choose(lanes_under(high_lanes), high, splat(0));
        chunk_put(&chunk, CK_STRIP, (size_t)i, low, high);
    }
    chunk_store(&chunk, CK_STRIP, (size_t)rows, (columns + 1) / 2,
                p->c_packed + (row / CK_STRIP) * pairs * CK_STRIP + (column / 2) * CK_STRIP);
}

// Finishes and stores a tile's accumulators: `low[i]` and `high[i]` are row i's two vectors. Each
// element: ×α, + bias, the activation, + residual (ck_gemm.h's order).
INLINE void store_tile(const int rows, const vf *low, const vf *high, const ck_gemm_problem *p, size_t row,
                       size_t column, size_t columns) {
    const ck_epilogue *e = &p->epilogue;
    const size_t low_lanes = columns < CK_WIDTH ? columns : CK_WIDTH;
    const size_t high_lanes = columns > CK_WIDTH ? columns - CK_WIDTH : 0;
    const float *bias = e->bias ? e->bias + column : NULL;
    vf x[2 * CK_STRIP];  // row i's two segments at 2i and 2i + 1
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        x[2 * i] = scale_and_bias(low[i], bias, e->alpha, low_lanes);
        x[2 * i + 1] = high_lanes ? scale_and_bias(high[i], bias ? bias + CK_WIDTH : NULL, e->alpha, high_lanes)
                                  : splat(0);
    }
    if (e->activation != CK_ACTIVATION_IDENTITY) activate_vectors(e->activation, x, 2 * rows);
    if (p->c_packed) {
        store_tile_packed(rows, x, p, row, column, columns);
        return;
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        float *c = p->c + (row + i) * p->ldc + column;
        const float *residual = e->residual ? e->residual + (row + i) * e->ldr + column : NULL;
        add_residual_and_store(x[2 * i], residual, low_lanes, c);
        if (high_lanes) add_residual_and_store(x[2 * i + 1], residual ? residual + CK_WIDTH : NULL, high_lanes, c + CK_WIDTH);
    }
}

// The skeleton of a tile with Float32 accumulators: `steps` steps summed in blocks of `per_block`,
// each block in its own accumulators (`low[i]`, `high[i]`: row i's two vectors) and then added to
// the running total, so the rounding error grows with the block length rather than with K (as in
// blocked BLAS libraries, and so PyTorch). `ACCUMULATE(step)` adds one step to low[] and high[].
#define CK_BLOCKED_TILE(rows, steps, per_block, ACCUMULATE)                                          \
    vf low[CK_STRIP], high[CK_STRIP], total_low[CK_STRIP], total_high[CK_STRIP];                     \
    for (size_t block = 0; block == 0 || block < (steps); block += (per_block)) {                    \
        _Pragma("clang loop unroll(full)")                                                           \
        for (int i = 0; i < (rows); i++) low[i] = high[i] = splat(0);                                \
        const size_t end = block + (per_block) < (steps) ? block + (per_block) : (steps);            \
        for (size_t step = block; step < end; step++) { ACCUMULATE(step) }                           \
        _Pragma("clang loop unroll(full)")                                                           \
        for (int i = 0; i < (rows); i++) {                                                           \
            total_low[i] = block == 0 ? low[i] : total_low[i] + low[i];                              \
            total_high[i] = block == 0 ? high[i] : total_high[i] + high[i];                          \
        }                                                                                            \
    }

// Defines `name(rows, p, a, b, row, column, columns)`, which calls `TILE(n, …)` compiled for the
// strip's real row count n (1 … CK_STRIP), so each tile's row loops unroll fully.
#define CK_STRIP_DISPATCH(name, TILE)                                                                \
    static void name(size_t rows, const ck_gemm_problem *p, const void *a, const void *b, size_t row,  \
                     size_t column, size_t columns) {                                                \
        switch (rows) {                                                                              \
        case 1: TILE(1, p, a, b, row, column, columns); break;                                       \
        case 2: TILE(2, p, a, b, row, column, columns); break;                                       \
        case 3: TILE(3, p, a, b, row, column, columns); break;                                       \
        case 4: TILE(4, p, a, b, row, column, columns); break;                                       \
        case 5: TILE(5, p, a, b, row, column, columns); break;                                       \
        case 6: TILE(6, p, a, b, row, column, columns); break;                                       \
        CK_STRIP_DISPATCH_WIDE(TILE)                                                                 \
        default: break;                                                                              \
        }                                                                                            \
    }
#if CK_STRIP > 6
#define CK_STRIP_DISPATCH_WIDE(TILE)                                                                 \
    case 7: TILE(7, p, a, b, row, column, columns); break;                                           \
    case 8: TILE(8, p, a, b, row, column, columns); break;                                           \
    case 9: TILE(9, p, a, b, row, column, columns); break;                                           \
    case 10: TILE(10, p, a, b, row, column, columns); break;                                         \
    case 11: TILE(11, p, a, b, row, column, columns); break;                                         \
    case 12: TILE(12, p, a, b, row, column, columns); break;
#else
#define CK_STRIP_DISPATCH_WIDE(TILE)
#endif

// Computes one strip's tile: `rows` rows from the strip at `a`, the panel at `b`, into C at (row, column).
typedef void (*strip_tile_function)(size_t rows, const ck_gemm_problem *p, const void *a, const void *b,
                                    size_t row, size_t column, size_t columns);

// The loop over a product: strips are taken in blocks that stay in L2 while every panel of the
// range passes over them; each panel then streams from L3 once per block. `a_bytes_per_strip` is
// the distance between strips in `a`, `a_strip_footprint` the bytes one strip's tiles read,
// `b_bytes_per_panel` the distance between panels.
static void drive(const ck_gemm_problem *p, size_t first_panel, size_t end_panel, strip_tile_function strip_tile,
                  const void *a, size_t a_bytes_per_strip, size_t a_strip_footprint, const void *b,
                  size_t b_bytes_per_panel) {
    const size_t strips = (p->m + CK_STRIP - 1) / CK_STRIP;
    size_t block = p->a_block_bytes / (a_strip_footprint ? a_strip_footprint : 1);
    if (block < 1) block = 1;
    for (size_t first_strip = 0; first_strip < strips; first_strip += block) {
        const size_t end_strip = first_strip + block < strips ? first_strip + block : strips;
        for (size_t panel = first_panel; panel < end_panel; panel++) {
            const size_t column = panel * CK_PANEL;
            const size_t columns = p->n - column < CK_PANEL ? p->n - column : CK_PANEL;
            const char *panel_b = (const char *)b + panel * b_bytes_per_panel;
            for (size_t strip = first_strip; strip < end_strip; strip++) {
                const size_t row = strip * CK_STRIP;
                const size_t rows = p->m - row < CK_STRIP ? p->m - row : CK_STRIP;
                strip_tile(rows, p, (const char *)a + strip * a_bytes_per_strip, panel_b, row, column, columns);
            }
        }
    }
}

// Defines `double name(uint64_t iterations)`: 2·CK_STRIP independent chains (as many as a tile has
// accumulators) of `STEP` (an expression of `acc[i]` and what `SETUP` declares) on registers only,
// so nothing but the execution units limits them — a kernel family's roof. Returns seconds.
#define CK_DEFINE_REGISTER_PEAK(name, type, INIT, SETUP, STEP)                                       \
    double name(uint64_t iterations) {                                                               \
        type acc[2 * CK_STRIP];                                                                      \
        for (int i = 0; i < 2 * CK_STRIP; i++) acc[i] = (INIT);                                      \
        SETUP;                                                                                       \
        struct timespec start, end;                                                                  \
        clock_gettime(CLOCK_MONOTONIC, &start);                                                      \
        for (uint64_t round = 0; round < iterations; round++) {                                      \
            for (int i = 0; i < 2 * CK_STRIP; i++) acc[i] = (STEP);                                  \
        }                                                                                            \
        clock_gettime(CLOCK_MONOTONIC, &end);                                                        \
        double sum = 0;                                                                              \
        for (int i = 0; i < 2 * CK_STRIP; i++) sum += (double)acc[i][0];                             \
        volatile double sink = sum;                                                                  \
        (void)sink;                                                                                  \
        return (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);   \
    }

#endif
