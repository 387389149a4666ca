// The kernels, written once over a generic vector of SVK_WIDTH floats and included by one .c
// file per instruction set (which sets SVK_WIDTH, SVK_PREFIX and the `target` attribute).
//
// The arithmetic mirrors Tensors' portable Swift kernels (VectorMath.swift): the same Cephes
// exp, Abramowitz & Stegun erf and corrected two-pass LayerNorm, so every path agrees with the
// Float64 references to the tolerances the kernel tests state. Fused multiply-adds round once
// where the Swift code rounds twice, so results may differ from it in the last bit.
// (math.h comes from the including file, before its target attribute region.)

#define SVK_CAT2(a, b) a##b
#define SVK_CAT(a, b) SVK_CAT2(a, b)
#define SVK_NAME(name) SVK_CAT(SVK_PREFIX, name)

typedef float vf __attribute__((vector_size(SVK_WIDTH * 4)));
typedef int vi __attribute__((vector_size(SVK_WIDTH * 4)));
typedef float vf_unaligned __attribute__((vector_size(SVK_WIDTH * 4), aligned(4)));

#define INLINE static inline __attribute__((always_inline))

INLINE vf load(const float *p) { return *(const vf_unaligned *)p; }
INLINE void store(float *p, vf v) { *(vf_unaligned *)p = v; }
INLINE vf splat(float x) { return (vf){0} + x; }

// The first `count` (< SVK_WIDTH) floats of `p`; the other lanes hold `fill`.
INLINE vf load_partial(const float *p, size_t count, float fill) {
    vf v = splat(fill);
    for (size_t lane = 0; lane < count; lane++) v[lane] = p[lane];
    return v;
}
INLINE void store_partial(float *p, vf v, size_t count) {
    for (size_t lane = 0; lane < count; lane++) p[lane] = v[lane];
}

// Lane-wise `mask ? a : b` for a comparison result (all ones or all zeros per lane).
INLINE vf select(vi mask, vf a, vf b) { return (vf)((mask & (vi)a) | (~mask & (vi)b)); }
INLINE vf fma_v(vf a, vf b, vf c) { return __builtin_elementwise_fma(a, b, c); }
INLINE vf magnitude(vf x) { return (vf)((vi)x & 0x7FFFFFFF); }
// `value` (non-negative) with the sign of `sign`.
INLINE vf with_sign(vf sign, vf value) { return (vf)((vi)value | ((vi)sign & (int)0x80000000)); }
INLINE float sum_lanes(vf v) {
    float sum = 0;
    for (int lane = 0; lane < SVK_WIDTH; lane++) sum += v[lane];
    return sum;
}
INLINE float max_lanes(vf v) {
    float result = v[0];
    for (int lane = 1; lane < SVK_WIDTH; lane++) result = v[lane] > result ? v[lane] : result;
    return result;
}

// e^x within 2 ulp above 2·FLT_MIN (smaller results flush to 0), +∞ above 88.72, NaN for NaN:
// exp(x) = 2ⁿ · exp(r), n = round(x / ln 2), with ln 2 split in two so x − n·ln 2 is exact and
// a degree-5 polynomial for exp(r) (Cephes' expf constants).
INLINE vf exp_v(vf x) {
    const float overflow = 88.72283935546875f, underflow = -87.33654022216797f;
    const float magic = 12582912.0f;  // 1.5·2²³: adding it rounds to an integer
    vf clamped = select(x < underflow, splat(underflow), x);
    clamped = select(clamped > overflow, splat(overflow), clamped);
    const vf shifted = fma_v(clamped, splat(1.44269504088896341f), splat(magic));
    const vf n = shifted - magic;
    const vf r = fma_v(n, splat(2.12194440e-4f), fma_v(n, splat(-0.693359375f), clamped));
    vf p = splat(1.9875691500e-4f);
    p = fma_v(p, r, splat(1.3981999507e-3f));
    p = fma_v(p, r, splat(8.3334519073e-3f));
    p = fma_v(p, r, splat(4.1665795894e-2f));
    p = fma_v(p, r, splat(1.6666665459e-1f));
    p = fma_v(p, r, splat(5.0000001201e-1f));
    p = fma_v(p, r * r, r) + 1;
    // n sits in the low mantissa bits of `shifted`; build 2ⁿ⁻¹ in the exponent field and
    // double the product (2¹²⁸ is not a float, n reaches 128 after clamping).
    const vi n_bits = (vi)shifted - (vi)splat(magic);
    const vf half_scale = (vf)((n_bits + 126) << 23);
    vf result = (p * half_scale) * 2;
    result = select(x >= overflow, splat(INFINITY), result);
    result = select(x <= underflow, splat(0), result);
    return select(x != x, x, result);
}

// erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5·10⁻⁷), as PyTorch's vectorised erf.
INLINE vf erf_v(vf x) {
    const vf ax = magnitude(x);
    const vf t = 1 / fma_v(splat(0.3275911f), ax, splat(1));
    vf poly = splat(1.061405429f);
    poly = fma_v(poly, t, splat(-1.453152027f));
    poly = fma_v(poly, t, splat(1.421413741f));
    poly = fma_v(poly, t, splat(-0.284496736f));
    poly = fma_v(poly, t, splat(0.254829592f));
    poly = poly * t;
    return with_sign(x, 1 - poly * exp_v(-(ax * ax)));
}

INLINE vf tanh_v(vf x) { return with_sign(x, 1 - 2 / (exp_v(magnitude(x) * 2) + 1)); }
INLINE vf sigmoid_v(vf x) { return 1 / (exp_v(-x) + 1); }

INLINE vf gelu(vf x) { return 0.5f * x * (1 + erf_v(x * 0.70710678118654752f)); }
INLINE vf gelu_tanh(vf x) {
    return 0.5f * x * (1 + tanh_v(0.79788456080286536f * (x + 0.044715f * x * x * x)));
}
INLINE vf relu(vf x) { return select(x < 0, splat(0), x); }  // keeps NaN, as torch.relu
INLINE vf silu(vf x) { return x * sigmoid_v(x); }
INLINE vf quick_gelu(vf x) { return x * sigmoid_v(1.702f * x); }
INLINE vf identity(vf x) { return x; }

// One loop per function: `function` is a constant at every call site, so it inlines.
INLINE void map_rows(vf (*function)(vf), float *first, size_t rows, size_t columns, size_t leading,
                     const float *bias) {
    for (size_t row = 0; row < rows; row++) {
        float *values = first + row * leading;
        size_t index = 0;
        for (; index + SVK_WIDTH <= columns; index += SVK_WIDTH) {
            vf x = load(values + index);
            if (bias) x += load(bias + index);
            store(values + index, function(x));
        }
        if (index < columns) {
            const size_t lanes = columns - index;
            vf x = load_partial(values + index, lanes, 0);
            if (bias) x += load_partial(bias + index, lanes, 0);
            store_partial(values + index, function(x), lanes);
        }
    }
}

void SVK_NAME(activation_rows)(svk_activation activation, float *first, size_t rows, size_t columns,
                               size_t leading, const float *bias) {
    switch (activation) {
    case SVK_ACTIVATION_GELU: map_rows(gelu, first, rows, columns, leading, bias); break;
    case SVK_ACTIVATION_GELU_TANH: map_rows(gelu_tanh, first, rows, columns, leading, bias); break;
    case SVK_ACTIVATION_RELU: map_rows(relu, first, rows, columns, leading, bias); break;
    case SVK_ACTIVATION_SILU: map_rows(silu, first, rows, columns, leading, bias); break;
    case SVK_ACTIVATION_QUICK_GELU: map_rows(quick_gelu, first, rows, columns, leading, bias); break;
    case SVK_ACTIVATION_IDENTITY: map_rows(identity, first, rows, columns, leading, bias); break;
    }
}

void SVK_NAME(softmax_row)(float *values, size_t count) {
    if (count == 0) return;
    const size_t full_end = count - count % SVK_WIDTH, tail = count - full_end;
    // The maximum, with NaN winning so that it propagates (a plain max would drop it).
    vf maxima = splat(-INFINITY);
    vi nan_seen = (vi){0};
    for (size_t index = 0; index < full_end; index += SVK_WIDTH) {
        const vf x = load(values + index);
        maxima = select(x > maxima, x, maxima);
        nan_seen |= (x != x);
    }
    if (tail) {
        const vf x = load_partial(values + full_end, tail, -INFINITY);
        maxima = select(x > maxima, x, maxima);
        nan_seen |= (x != x);
    }
    int any_nan = 0;
    for (int lane = 0; lane < SVK_WIDTH; lane++) any_nan |= nan_seen[lane];
    const float row_max = any_nan ? NAN : max_lanes(maxima);
    // exp(x − max), summed; the padding lanes of the tail are excluded from the sum.
    vf sums = splat(0);
    for (size_t index = 0; index < full_end; index += SVK_WIDTH) {
        const vf e = exp_v(load(values + index) - row_max);
        sums += e;
        store(values + index, e);
    }
    if (tail) {
        vf e = exp_v(load_partial(values + full_end, tail, 0) - row_max);
        store_partial(values + full_end, e, tail);
        for (size_t lane = tail; lane < SVK_WIDTH; lane++) e[lane] = 0;
        sums += e;
    }
    const float scale = 1 / sum_lanes(sums);
    for (size_t index = 0; index < full_end; index += SVK_WIDTH)
        store(values + index, load(values + index) * scale);
    for (size_t index = full_end; index < count; index++) values[index] *= scale;
}

void SVK_NAME(add_row)(float *row, const float *delta, const float *delta_bias, size_t count) {
    size_t index = 0;
    for (; index + SVK_WIDTH <= count; index += SVK_WIDTH) {
        vf x = load(row + index);
        if (delta) x += load(delta + index);
        if (delta_bias) x += load(delta_bias + index);
        store(row + index, x);
    }
    for (; index < count; index++) {
        float x = row[index];
        if (delta) x += delta[index];
        if (delta_bias) x += delta_bias[index];
        row[index] = x;
    }
}

// Corrected two-pass statistics: the mean, then squares and the sum of the values centred on it.
// That centred sum is the first pass's rounding error and corrects both the mean and the
// variance, Σ(x − m)² − (Σ(x − m))² / n, so rows like 10⁴ ± 1 stay accurate in Float32.
void SVK_NAME(layer_norm_row)(const float *row, size_t count, const float *weight, const float *bias,
                              float epsilon, float *output) {
    if (count == 0) return;
    const size_t full_end = count - count % SVK_WIDTH, tail = count - full_end;
    vf sums = splat(0);
    for (size_t index = 0; index < full_end; index += SVK_WIDTH) sums += load(row + index);
    if (tail) sums += load_partial(row + full_end, tail, 0);
    const float rough_mean = sum_lanes(sums) / (float)count;
    vf squares = splat(0), residuals = splat(0);
    for (size_t index = 0; index < full_end; index += SVK_WIDTH) {
        const vf centered = load(row + index) - rough_mean;
        squares = fma_v(centered, centered, squares);
        residuals += centered;
    }
    if (tail) {
        vf centered = load_partial(row + full_end, tail, 0) - rough_mean;
        for (size_t lane = tail; lane < SVK_WIDTH; lane++) centered[lane] = 0;
        squares = fma_v(centered, centered, squares);
        residuals += centered;
    }
    const float residual = sum_lanes(residuals);
    const float mean = rough_mean + residual / (float)count;
    float variance = (sum_lanes(squares) - residual * residual / (float)count) / (float)count;
    if (!(variance > 0)) variance = variance != variance ? variance : 0;
    const float inverse_deviation = 1 / sqrtf(variance + epsilon);
    for (size_t index = 0; index < full_end; index += SVK_WIDTH) {
        const vf normalized = (load(row + index) - mean) * inverse_deviation;
        store(output + index, fma_v(normalized, load(weight + index), load(bias + index)));
    }
    for (size_t index = full_end; index < count; index++)
        output[index] = fmaf((row[index] - mean) * inverse_deviation, weight[index], bias[index]);
}
