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

void CK_NAME(softmax_row)(float *values, size_t count) {
    if (count == 0) return;
    // The maximum, with NaN winning so that it propagates (a plain max would drop it).
    vf maxima = splat(-INFINITY);
    vi nan_seen = (vi){0};
    for (size_t index = 0; index < count; index += CK_WIDTH) {
        const vf x = load_clipped(values, index, count, -INFINITY);
        maxima = choose(x > maxima, x, maxima);
        nan_seen |= (x != x);
    }
    int any_nan = 0;
    for (int lane = 0; lane < CK_WIDTH; lane++) any_nan |= nan_seen[lane];
    const float row_max = any_nan ? NAN : max_lanes(maxima);
    // exp(x − max), summed in 16 partial sums; padding lanes add exp(−∞) = 0.
    partial_sums sums = partial_zero();
    for (size_t group = 0; group < count; group += CK_REDUCTION_LANES) {
        for (int v = 0; v < CK_GROUP; v++) {
            const size_t index = group + (size_t)v * CK_WIDTH;
            if (index >= count) break;
            const vf e = exp_v(load_clipped(values, index, count, -INFINITY) - row_max);
            sums.lanes[v] += e;
            if (index + CK_WIDTH <= count) store(values + index, e);
            else store_partial(values + index, e, count - index);
        }
    }
    const float scale = 1 / partial_total(sums);
    for (size_t index = 0; index < count; index += CK_WIDTH) {
        if (index + CK_WIDTH <= count) store(values + index, load(values + index) * scale);
        else store_partial(values + index, load_partial(values + index, count - index, 0) * scale, count - index);
    }
}

// Corrected two-pass statistics: the mean, then squares and the sum of the values centred on it.
// That centred sum is the first pass's rounding error and corrects both the mean and the
// variance, Σ(x − m)² − (Σ(x − m))² / n, so rows like 10⁴ ± 1 stay accurate in Float32.
void CK_NAME(layer_norm_row)(const float *row, size_t count, const float *weight, const float *bias,
                             float epsilon, float *output) {
    if (count == 0) return;
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
    const float inverse_deviation = 1 / sqrtf(variance + epsilon);
    for (size_t index = 0; index < count; index += CK_WIDTH) {
        const vf normalized = (load_clipped(row, index, count, 0) - mean) * inverse_deviation;
        const vf y = fma_v(normalized, load_clipped(weight, index, count, 0), load_clipped(bias, index, count, 0));
        if (index + CK_WIDTH <= count) store(output + index, y);
        else store_partial(output + index, y, count - index);
    }
}
