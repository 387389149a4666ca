// The element-wise and row-wise kernels, written once over vector_math.h's generic vector and
// included by one .c file per instruction set.
//
// Reductions (softmax's sum, LayerNorm's statistics) keep CK_REDUCTION_LANES partial sums whatever
// the vector width — lane j sums the elements whose index is j modulo 16 — and add them up in lane
// order at the end, so a row gives the same bits on the portable, AVX2 and AVX-512 paths.
#include "vector_math.h"

#define CK_REDUCTION_LANES 16
#define CK_GROUP (CK_REDUCTION_LANES / CK_WIDTH)  // vectors per group of 16 elements

// The 16 partial sums of a reduction, as CK_GROUP vectors.
typedef struct { vf lanes[CK_GROUP]; } partial_sums;

INLINE partial_sums partial_zero(void) {
    partial_sums s;
    for (int v = 0; v < CK_GROUP; v++) s.lanes[v] = splat(0);
    return s;
}

// Σ of the 16 partial sums, in lane order.
INLINE float partial_total(partial_sums s) {
    float total = 0;
    for (int v = 0; v < CK_GROUP; v++)
        for (int lane = 0; lane < CK_WIDTH; lane++) total += s.lanes[v][lane];
    return total;
}


void CK_NAME(epilogue_rows)(const float *x, size_t ldx, float *c, size_t ldc, size_t rows, size_t columns,
                            const ck_epilogue *epilogue) {
    const float alpha = epilogue->alpha;
    for (size_t row = 0; row < rows; row++) {
        const float *values = x + row * ldx;
        float *out = c + row * ldc;
        const float *residual = epilogue->residual ? epilogue->residual + row * epilogue->ldr : NULL;
        for (size_t index = 0; index < columns; index += CK_WIDTH) {
            vf v = load_clipped(values, index, columns, 0) * alpha;
            if (epilogue->bias) v += load_clipped(epilogue->bias, index, columns, 0);
            v = activate(epilogue->activation, v);
            if (residual) v += load_clipped(residual, index, columns, 0);
            if (index + CK_WIDTH <= columns) store(out + index, v);
            else store_partial(out + index, v, columns - index);
        }
    }
}

// Rows taken together by softmax_rows: one row alone is a chain of dependent phases (maximum, its
// horizontal reduction, exps, the sum's reduction, the scaling), each waiting on the one before;
// four independent rows fill those waits. Each row's operations are those of a row alone.
#define CK_SOFTMAX_ROWS 4

// The maximum of each row (lanes at or past `count` hold −∞), NaN if the row has one: NaN is
// tracked apart so that it wins and propagates, which a plain maximum would not do.
INLINE void row_maxima(float *const *row, int rows, size_t count, float *maximum) {
    vf maxima[CK_SOFTMAX_ROWS];
    vi nan_seen[CK_SOFTMAX_ROWS];
    for (int r = 0; r < rows; r++) maxima[r] = splat(-INFINITY), nan_seen[r] = (vi){0};
    for (size_t index = 0; index < count; index += CK_WIDTH) {
        for (int r = 0; r < rows; r++) {
            const vf x = load_clipped(row[r], index, count, -INFINITY);
            maxima[r] = choose(x > maxima[r], x, maxima[r]);
            nan_seen[r] |= (x != x);
        }
    }
    for (int r = 0; r < rows; r++) {
        int any_nan = 0;
        for (int lane = 0; lane < CK_WIDTH; lane++) any_nan |= nan_seen[r][lane];
        maximum[r] = any_nan ? NAN : max_lanes(maxima[r]);
    }
}

// exp(x − max) of a group's rows, in place, and each row's 1 / Σ exp(x − max) into `scale`.
INLINE void softmax_exps(float *const *row, int group, size_t count, float *scale) {
    float maximum[CK_SOFTMAX_ROWS];
    row_maxima(row, group, count, maximum);
    // exp(x − max), summed in 16 partial sums; padding lanes add exp(−∞) = 0.
    partial_sums sums[CK_SOFTMAX_ROWS];
    for (int r = 0; r < group; r++) sums[r] = partial_zero();
    for (size_t lanes = 0; lanes < count; lanes += CK_REDUCTION_LANES) {
        for (int v = 0; v < CK_GROUP; v++) {
            const size_t index = lanes + (size_t)v * CK_WIDTH;
            if (index >= count) break;
            for (int r = 0; r < group; r++) {
                const vf e = exp_nonpositive_v(load_clipped(row[r], index, count, -INFINITY) - maximum[r]);
                sums[r].lanes[v] += e;
                if (index + CK_WIDTH <= count) store(row[r] + index, e);
                else store_partial(row[r] + index, e, count - index);
            }
        }
    }
    for (int r = 0; r < group; r++) scale[r] = 1 / partial_total(sums[r]);
}

// Points `row` at the group of rows from `first` (at most CK_SOFTMAX_ROWS of `rows`); returns its size.
INLINE int softmax_group(float *values, size_t rows, size_t stride, size_t first, float **row) {
    const int group = rows - first < CK_SOFTMAX_ROWS ? (int)(rows - first) : CK_SOFTMAX_ROWS;
    for (int r = 0; r < group; r++) row[r] = values + (first + (size_t)r) * stride;
    return group;
}

void CK_NAME(softmax_rows)(float *values, size_t rows, size_t count, size_t stride) {
    if (count == 0) return;
    for (size_t first = 0; first < rows; first += CK_SOFTMAX_ROWS) {
        float *row[CK_SOFTMAX_ROWS], scale[CK_SOFTMAX_ROWS];
        const int group = softmax_group(values, rows, stride, first, row);
        softmax_exps(row, group, count, scale);
        for (size_t index = 0; index < count; index += CK_WIDTH) {
            for (int r = 0; r < group; r++) {
                float *at = row[r] + index;
                if (index + CK_WIDTH <= count) store(at, load(at) * scale[r]);
                else store_partial(at, load_partial(at, count - index, 0) * scale[r], count - index);
            }
        }
    }
}

// Elements index ..< index + CK_WIDTH of a row of exps times its scale, lanes at or past `count` 0
// (also in a NaN row, whose scale is NaN): what packing the stored probabilities reads.
INLINE vf scaled_clipped(const float *row, size_t index, size_t count, float scale) {
    if (index >= count) return splat(0);
    if (index + CK_WIDTH <= count) return load(row + index) * scale;
    return choose(lanes_under(count - index), load_partial(row + index, count - index, 0) * scale, splat(0));
}

void CK_NAME(softmax_strip_bf16)(float *values, size_t rows, size_t count, size_t stride, uint32_t *words,
                                 size_t height) {
    if (count == 0 || rows > height || height > CK_MAX_STRIP) return;
    float scale[CK_MAX_STRIP];
    for (size_t first = 0; first < rows; first += CK_SOFTMAX_ROWS) {
        float *row[CK_SOFTMAX_ROWS];
        softmax_exps(row, softmax_group(values, rows, stride, first, row), count, scale + first);
    }
    const size_t pairs = (count + 1) / 2;
    for (size_t index = 0; index < count; index += 2 * CK_WIDTH) {
        strip_chunk chunk;
        for (size_t i = 0; i < rows; i++) {
            const float *row = values + i * stride;
            chunk_put(&chunk, height, i, scaled_clipped(row, index, count, scale[i]),
                      scaled_clipped(row, index + CK_WIDTH, count, scale[i]));
        }
        chunk_store(&chunk, height, rows, chunk_pairs(pairs, index / 2), words + (index / 2) * height);
    }
}

// The row's mean and 1 / √(variance + ε), by corrected two-pass statistics: the mean, then squares
// and the sum of the values centred on it. That centred sum is the first pass's rounding error and
// corrects both the mean and the variance, Σ(x − m)² − (Σ(x − m))² / n, so rows like 10⁴ ± 1 stay
// accurate in Float32.
INLINE void row_statistics(const float *row, size_t count, float epsilon, float *mean_out, float *inverse_out) {
    partial_sums sums = partial_zero();
    for (size_t group = 0; group < count; group += CK_REDUCTION_LANES)
        for (int v = 0; v < CK_GROUP; v++)
            sums.lanes[v] += load_clipped(row, group + (size_t)v * CK_WIDTH, count, 0);
    const float rough_mean = partial_total(sums) / (float)count;
    partial_sums squares = partial_zero(), residuals = partial_zero();
    for (size_t group = 0; group < count; group += CK_REDUCTION_LANES) {
        for (int v = 0; v < CK_GROUP; v++) {
            const size_t index = group + (size_t)v * CK_WIDTH;
            // Padding lanes hold the mean itself, so they centre to exactly 0.
            const vf centered = load_clipped(row, index, count, rough_mean) - rough_mean;
            squares.lanes[v] = fma_v(centered, centered, squares.lanes[v]);
            residuals.lanes[v] += centered;
        }
    }
    const float residual = partial_total(residuals);
    const float mean = rough_mean + residual / (float)count;
    float variance = (partial_total(squares) - residual * residual / (float)count) / (float)count;
    if (!(variance > 0)) variance = variance != variance ? variance : 0;
    *mean_out = mean;
    *inverse_out = 1 / sqrtf(variance + epsilon);
}

// Elements index ..< index + CK_WIDTH of the normalised row (lanes past `count`: 0).
INLINE vf normalized_vector(const float *row, size_t index, size_t count, const float *weight, const float *bias,
                            float mean, float inverse_deviation) {
    const vf normalized = (load_clipped(row, index, count, 0) - mean) * inverse_deviation;
    return fma_v(normalized, load_clipped(weight, index, count, 0), load_clipped(bias, index, count, 0));
}

void CK_NAME(layer_norm_row)(const float *row, size_t count, const float *weight, const float *bias,
                             float epsilon, float *output) {
    if (count == 0) return;
    float mean, inverse_deviation;
    row_statistics(row, count, epsilon, &mean, &inverse_deviation);
    for (size_t index = 0; index < count; index += CK_WIDTH) {
        const vf y = normalized_vector(row, index, count, weight, bias, mean, inverse_deviation);
        if (index + CK_WIDTH <= count) store(output + index, y);
        else store_partial(output + index, y, count - index);
    }
}

void CK_NAME(layer_norm_strip_bf16)(const float *rows, size_t ldr, size_t row_count, size_t count,
                                    const float *weight, const float *bias, float epsilon, uint32_t *words,
                                    size_t height) {
    if (count == 0 || height == 0 || height > CK_MAX_STRIP) return;
    float means[CK_MAX_STRIP], inverse_deviations[CK_MAX_STRIP];
    for (size_t i = 0; i < row_count; i++) row_statistics(rows + i * ldr, count, epsilon, &means[i], &inverse_deviations[i]);
    const size_t pairs = (count + 1) / 2;
    for (size_t index = 0; index < count; index += 2 * CK_WIDTH) {
        strip_chunk chunk;
        for (size_t i = 0; i < row_count; i++) {
            const float *row = rows + i * ldr;
            // An odd count's last word gets the padding lane's 0 as its high half.
            chunk_put(&chunk, height, i,
                      normalized_vector(row, index, count, weight, bias, means[i], inverse_deviations[i]),
                      normalized_vector(row, index + CK_WIDTH, count, weight, bias, means[i], inverse_deviations[i]));
        }
        chunk_store(&chunk, height, row_count, chunk_pairs(pairs, index / 2), words + (index / 2) * height);
    }
}
