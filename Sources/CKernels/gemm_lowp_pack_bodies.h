// Per-product packing for the reduced-precision kernels — A (bfloat16 and int8), and bfloat16 B
// panels (attention's keys and values) — vectorised over a row with the including file's vector
// width (included by gemm_avx2.c and gemm_avx512.c after vector_math.h).
// A row is converted a vector at a time (lane-wise, so the width does not change the result), and
// its words are stored into the strip, whose layout interleaves the strip's rows (see ck_gemm.h):
// bfloat16 through an L1 chunk of every row's next pairs (vector_math.h), int8 word by word.

typedef unsigned char vu8 __attribute__((vector_size(CK_WIDTH)));

// Stores `count` words of one row at stride CK_STRIP (the strip's layout).
INLINE void store_strided(uint32_t *out, const uint32_t *words, size_t count) {
    for (size_t index = 0; index < count; index++) out[index * CK_STRIP] = words[index];
}

void CK_NAME(pack_a_bf16)(const float *a, size_t lda, size_t m, size_t k, size_t first_strip, size_t end_strip,
                          uint32_t *packed) {
    const size_t pairs = (k + 1) / 2;
    for (size_t strip = first_strip; strip < end_strip; strip++) {
        uint32_t *out = packed + strip * pairs * CK_STRIP;
        const size_t row = strip * CK_STRIP, rows = m - row < CK_STRIP ? m - row : CK_STRIP;
        // CK_WIDTH pairs of every row at a time, through an L1 chunk (vector_math.h).
        for (size_t step = 0; step < k; step += 2 * CK_WIDTH) {
            strip_chunk chunk;
            for (size_t i = 0; i < rows; i++) {
                const float *source = a + (row + i) * lda;
                chunk_put(&chunk, CK_STRIP, i, load_clipped(source, step, k, 0),
                          load_clipped(source, step + CK_WIDTH, k, 0));
            }
            chunk_store(&chunk, CK_STRIP, rows, chunk_pairs(pairs, step / 2), out + (step / 2) * CK_STRIP);
        }
    }
}

// B packed as bfloat16 pairs in panels of CK_PANEL columns (see ck_gemm.h), vectorised: the same
// words as the portable `ck_pack_b_bf16`, fast enough to run per product (attention packs every
// head's keys and values).
void CK_NAME(pack_b_bf16)(const float *b, size_t ldb, int b_transposed, size_t k, size_t n, size_t first_panel,
                          size_t end_panel, uint32_t *packed) {
    const size_t pairs = (k + 1) / 2;
    for (size_t panel = first_panel; panel < end_panel; panel++) {
        uint32_t *out = packed + panel * pairs * CK_PANEL;
        const size_t column = panel * CK_PANEL, columns = n - column < CK_PANEL ? n - column : CK_PANEL;
        if (b_transposed) {
            // Row j of the source is column j of B, and its consecutive k are already the pairs:
            // a row is rounded a vector at a time and its words go down the panel's column j.
            for (size_t j = 0; j < CK_PANEL; j++) {
                if (j >= columns) {
                    for (size_t pair = 0; pair < pairs; pair++) out[pair * CK_PANEL + j] = 0;
                    continue;
                }
                const float *source = b + (column + j) * ldb;
                for (size_t step = 0; step < k; step += CK_WIDTH) {
                    uint32_t words[CK_WIDTH / 2];
                    bf16_pair_words(load_clipped(source, step, k, 0), words);
                    const size_t left = (k - step + 1) / 2, count = left < CK_WIDTH / 2 ? left : CK_WIDTH / 2;
                    for (size_t index = 0; index < count; index++) out[(step / 2 + index) * CK_PANEL + j] = words[index];
                }
            }
        } else {
            // Rows 2p and 2p + 1 of B interleave into word row p: a vector of each, rounded, the odd
            // one shifted into the high halves.
            for (size_t pair = 0; pair < pairs; pair++) {
                const float *even = b + 2 * pair * ldb + column;
                const int has_odd = 2 * pair + 1 < k;
                for (size_t first = 0; first < CK_PANEL; first += CK_WIDTH) {
                    const size_t lanes = columns > first ? (columns - first < CK_WIDTH ? columns - first : CK_WIDTH) : 0;
                    vu32 words = (vu32)splat_int(0);
                    if (lanes) {
                        words = bf16_round_v(load_clipped(even, first, columns, 0));
                        if (has_odd) words |= bf16_round_v(load_clipped(even + ldb, first, columns, 0)) << 16;
                    }
                    store((float *)(out + pair * CK_PANEL + first), (vf)words);
                }
            }
        }
    }
}

// Row i is quantised asymmetrically over [lo, hi] = [min(row, 0), max(row, 0)]: s = (hi − lo) / 255,
// zero point z = roundeven(−lo / s), u8 q = roundeven(a / s) + z clamped to 0 … 255, so a = (q − z)·s
// and 0 stays exact. A one-signed row (GELU's output, ≥ −0.17) gets all 256 levels where a symmetric
// scale would leave half of them unused. s goes to `scales[i]`, z to `zero_points[i]`. A row that is
// all zeros gets s = 0; a row holding NaN or ±∞ gets s = NaN, so its outputs are NaN, as they would
// be in Float32.
void CK_NAME(quantize_a_int8)(const float *a, size_t lda, size_t m, size_t k, size_t first_strip,
                              size_t end_strip, uint32_t *packed, float *scales, int32_t *zero_points) {
    const size_t quads = (k + 3) / 4;
    for (size_t strip = first_strip; strip < end_strip; strip++) {
        uint32_t *out = packed + strip * quads * CK_STRIP;
        for (size_t i = 0; i < CK_STRIP; i++) {
            const size_t row = strip * CK_STRIP + i;
            if (row >= m) {
                // Never stored: any bytes do (B is zero past K, and these rows past M).
                for (size_t quad = 0; quad < quads; quad++) out[quad * CK_STRIP + i] = 0;
                continue;
            }
            const float *source = a + row * lda;
            vf lowest = splat(0), highest = splat(0);
            vi finite = splat_int(-1);
            for (size_t step = 0; step < k; step += CK_WIDTH) {
                const vf x = load_clipped(source, step, k, 0);
                lowest = choose(x < lowest, x, lowest);
                highest = choose(x > highest, x, highest);
                finite &= magnitude(x) <= splat(3.4028234664e38f);  // false for ±∞ and NaN
            }
            const float row_lowest = min_lanes(lowest), row_highest = max_lanes(highest);
            int all_finite = 1;
            for (int lane = 0; lane < CK_WIDTH; lane++) all_finite &= finite[lane] != 0;
            const float span = row_highest - row_lowest;
            const float inverse = all_finite && span > 0 ? 255 / span : 0;
            const float zero = inverse > 0 ? __builtin_elementwise_roundeven(-row_lowest * inverse) : 0;
            scales[row] = all_finite ? span / 255 : NAN;
            zero_points[row] = (int32_t)zero;
            for (size_t step = 0; step < k; step += CK_WIDTH) {
                vf q = __builtin_elementwise_roundeven(load_clipped(source, step, k, 0) * inverse) + zero;
                q = __builtin_elementwise_min(__builtin_elementwise_max(q, splat(0)), splat(255));
                const vu8 bytes = __builtin_convertvector(__builtin_convertvector(q, vi), vu8);
                uint32_t words[CK_WIDTH / 4];
                __builtin_memcpy(words, &bytes, sizeof words);
                const size_t left = (k - step + 3) / 4;
                store_strided(out + (step / 4) * CK_STRIP + i, words, left < CK_WIDTH / 4 ? left : CK_WIDTH / 4);
            }
        }
    }
}
