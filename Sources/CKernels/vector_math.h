#ifndef SWIFTVIT_VECTOR_MATH_H
#define SWIFTVIT_VECTOR_MATH_H
// Vector math over a generic vector of CK_WIDTH floats, included by every kernel source compiled
// for one instruction set (which sets CK_WIDTH, CK_PREFIX and the `target` attribute): loads and
// stores, exp (Cephes), erf (Abramowitz & Stegun 7.1.26), tanh, the activations, bfloat16
// rounding, and the chunks that packed strips are written through.
//
// Every function is lane-wise: lane i of the result depends only on lane i of the inputs, and uses
// fused multiply-adds, so a value gets the same bits whatever the vector width it went through.
// (math.h and ck_vector.h come from the including file, before its target attribute region.)

// Only the explicit fma_v calls fuse: clang would otherwise contract `a * b + c` where the target
// has FMA and not where it lacks it, and the portable path would round differently.
#pragma clang fp contract(off)

#define CK_CAT2(a, b) a##b
#define CK_CAT(a, b) CK_CAT2(a, b)
#define CK_NAME(name) CK_CAT(CK_PREFIX, name)

typedef float vf __attribute__((vector_size(CK_WIDTH * 4)));
typedef int vi __attribute__((vector_size(CK_WIDTH * 4)));
typedef float vf_unaligned __attribute__((vector_size(CK_WIDTH * 4), aligned(4)));

#define INLINE static inline __attribute__((always_inline))

INLINE vf load(const float *p) { return *(const vf_unaligned *)p; }
INLINE void store(float *p, vf v) { *(vf_unaligned *)p = v; }
// Every lane `x` (written lane by lane: `(vf){0} + x` would turn −0 into +0 and cost an add).
INLINE vf splat(float x) {
    vf v;
    for (int lane = 0; lane < CK_WIDTH; lane++) v[lane] = x;
    return v;
}

// The first `count` (< CK_WIDTH) floats of `p`; the other lanes hold `fill`. Where the including
// file sets CK_MASKED_MEMORY (it has immintrin.h and an AVX2 or AVX-512 target), one masked load
// or store: a lane-by-lane loop costs a row tail ~20 cycles, which softmax's 197-wide rows pay
// three times per row.
#if CK_MASKED_MEMORY && CK_WIDTH == 16
INLINE vf load_partial(const float *p, size_t count, float fill) {
    return (vf)_mm512_mask_loadu_ps(_mm512_set1_ps(fill), (__mmask16)((1u << count) - 1), p);
}
INLINE void store_partial(float *p, vf v, size_t count) {
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << count) - 1), (__m512)v);
}
#elif CK_MASKED_MEMORY && CK_WIDTH == 8
INLINE __m256i lanes_below(size_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
INLINE vf load_partial(const float *p, size_t count, float fill) {
    const __m256i mask = lanes_below(count);
    return (vf)_mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, mask), _mm256_castsi256_ps(mask));
}
INLINE void store_partial(float *p, vf v, size_t count) { _mm256_maskstore_ps(p, lanes_below(count), (__m256)v); }
#else
INLINE vf load_partial(const float *p, size_t count, float fill) {
    vf v = splat(fill);
    for (size_t lane = 0; lane < count; lane++) v[lane] = p[lane];
    return v;
}
INLINE void store_partial(float *p, vf v, size_t count) {
    for (size_t lane = 0; lane < count; lane++) p[lane] = v[lane];
}
#endif

// The vector of `row` at `index` (a multiple of CK_WIDTH), with lanes at or past `count` = `fill`.
INLINE vf load_clipped(const float *row, size_t index, size_t count, float fill) {
    if (index + CK_WIDTH <= count) return load(row + index);
    if (index >= count) return splat(fill);
    return load_partial(row + index, count - index, fill);
}

// Every lane `x`.
INLINE vi splat_int(int x) {
    vi v;
    for (int lane = 0; lane < CK_WIDTH; lane++) v[lane] = x;
    return v;
}

// Lane-wise `mask ? a : b` for a comparison result (all ones or all zeros per lane).
INLINE vf choose(vi mask, vf a, vf b) { return (vf)((mask & (vi)a) | (~mask & (vi)b)); }
// All ones in the lanes below `count`, zeros above.
INLINE vi lanes_under(size_t count) {
    vi mask;
    for (int lane = 0; lane < CK_WIDTH; lane++) mask[lane] = (size_t)lane < count ? -1 : 0;
    return mask;
}

INLINE vf fma_v(vf a, vf b, vf c) { return __builtin_elementwise_fma(a, b, c); }
INLINE vf magnitude(vf x) { return (vf)((vi)x & 0x7FFFFFFF); }
// `value` (non-negative) with the sign of `sign`.
INLINE vf with_sign(vf sign, vf value) { return (vf)((vi)value | ((vi)sign & (int)0x80000000)); }
INLINE float sum_lanes(vf v) {
    float sum = 0;
    for (int lane = 0; lane < CK_WIDTH; lane++) sum += v[lane];
    return sum;
}
INLINE float max_lanes(vf v) {
    float result = v[0];
    for (int lane = 1; lane < CK_WIDTH; lane++) result = v[lane] > result ? v[lane] : result;
    return result;
}
INLINE float min_lanes(vf v) {
    float result = v[0];
    for (int lane = 1; lane < CK_WIDTH; lane++) result = v[lane] < result ? v[lane] : result;
    return result;
}

// e^x within 2 ulp above 2·FLT_MIN (smaller results flush to 0), +∞ above 88.72, NaN for NaN:
// exp(x) = 2ⁿ · exp(r), n = round(x / ln 2), with ln 2 split in two so x − n·ln 2 is exact and
// a degree-5 polynomial for exp(r) (Cephes' expf constants).
// `may_overflow` 0 (a constant where inlined) skips the overflow checks for arguments known to be
// ≤ 0 or NaN (softmax's x − max, erf's −x²): the same bits as with them, four operations fewer.
INLINE vf exp_bounded(vf x, const int may_overflow) {
    const float overflow = 88.72283935546875f, underflow = -87.33654022216797f;
    const float magic = 12582912.0f;  // 1.5·2²³: adding it rounds to an integer
    vf clamped = choose(x < underflow, splat(underflow), x);
    if (may_overflow) clamped = choose(clamped > overflow, splat(overflow), clamped);
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
    if (may_overflow) result = choose(x >= overflow, splat(INFINITY), result);
    result = choose(x <= underflow, splat(0), result);
    return choose(x != x, x, result);
}
INLINE vf exp_v(vf x) { return exp_bounded(x, 1); }
// e^x for x ≤ 0 (or NaN): exp_v's bits.
INLINE vf exp_nonpositive_v(vf x) { return exp_bounded(x, 0); }

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
    return with_sign(x, fma_v(-poly, exp_nonpositive_v(-(ax * ax)), splat(1)));
}

INLINE vf tanh_v(vf x) { return with_sign(x, 1 - 2 / (exp_v(magnitude(x) * 2) + 1)); }
INLINE vf sigmoid_v(vf x) { return 1 / (exp_v(-x) + 1); }

INLINE vf gelu(vf x) { return 0.5f * x * (1 + erf_v(x * 0.70710678118654752f)); }
INLINE vf gelu_tanh(vf x) {
    return 0.5f * x * (1 + tanh_v(0.79788456080286536f * (x + 0.044715f * x * x * x)));
}
INLINE vf relu(vf x) { return choose(x < 0, splat(0), x); }  // keeps NaN, as torch.relu
INLINE vf silu(vf x) { return x * sigmoid_v(x); }
INLINE vf quick_gelu(vf x) { return x * sigmoid_v(1.702f * x); }
INLINE vf identity(vf x) { return x; }


typedef unsigned short vu16 __attribute__((vector_size(CK_WIDTH * 2)));
typedef unsigned int vu32 __attribute__((vector_size(CK_WIDTH * 4)));

// The high 16 bits of each lane rounded to nearest even (bfloat16); NaN stays a quiet NaN.
INLINE vu32 bf16_round_v(vf x) {
    const vu32 bits = (vu32)x;
    const vu32 rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
    const vu32 is_nan = (vu32)((bits & 0x7FFFFFFF) > 0x7F800000);
    return (rounded & ~is_nan) | (((bits >> 16) | 0x40) & is_nan);
}

// A vector rounded to bfloat16 as CK_WIDTH / 2 pair words: lane 2q in word q's low half, lane 2q + 1
// in its high half (the layout of packed reduced-precision operands, ck_gemm.h).
INLINE void bf16_pair_words(vf x, uint32_t *words) {
    const vu16 halves = __builtin_convertvector(bf16_round_v(x), vu16);
    __builtin_memcpy(words, &halves, sizeof halves);
}

// Packed strips (ck_gemm.h: a strip's `height` rows interleaved, pair q of row i at word
// q·height + i) are written a chunk at a time: CK_WIDTH pairs of every row of the strip, put
// together in a buffer that stays in L1, then copied out in whole vectors. Stored word by word
// straight into the strip, a chunk's 192 scattered stores fill the store queue while their lines
// come in from memory: measured 15 % slower than storing the Float32 values (fc1, 1576 × 3072 × 768
// with GELU); built here and copied out, as fast.
#define CK_MAX_STRIP 12
typedef struct {
    uint32_t words[CK_WIDTH * CK_MAX_STRIP] __attribute__((aligned(64)));
} strip_chunk;

// Puts row i's next 2·CK_WIDTH values, `low` then `high`, into the chunk as CK_WIDTH bfloat16 pairs.
INLINE void chunk_put(strip_chunk *chunk, size_t height, size_t i, vf low, vf high) {
    uint32_t words[CK_WIDTH];
    bf16_pair_words(low, words);
    bf16_pair_words(high, words + CK_WIDTH / 2);
    for (size_t q = 0; q < CK_WIDTH; q++) chunk->words[q * height + i] = words[q];
}

// Stores the chunk: rows `rows` … height − 1 (a last strip's padding) are cleared, then its first
// `count` pairs (≤ CK_WIDTH, of every row) are copied to `out`, the strip's word of its first pair.
INLINE void chunk_store(strip_chunk *chunk, size_t height, size_t rows, size_t count, uint32_t *out) {
    for (size_t i = rows; i < height; i++)
        for (size_t q = 0; q < CK_WIDTH; q++) chunk->words[q * height + i] = 0;
    const size_t total = count * height;
    size_t index = 0;
    for (; index + CK_WIDTH <= total; index += CK_WIDTH)
        store((float *)(out + index), load((const float *)(chunk->words + index)));
    for (; index < total; index++) out[index] = chunk->words[index];
}

// The pairs of a chunk that starts at pair `first` of a row of `pairs`.
INLINE size_t chunk_pairs(size_t pairs, size_t first) { return pairs - first < CK_WIDTH ? pairs - first : CK_WIDTH; }

// The activation `activation` of `x` (a constant at inlined call sites).
INLINE vf activate(ck_activation activation, vf x) {
    switch (activation) {
    case CK_ACTIVATION_GELU: return gelu(x);
    case CK_ACTIVATION_GELU_TANH: return gelu_tanh(x);
    case CK_ACTIVATION_RELU: return relu(x);
    case CK_ACTIVATION_SILU: return silu(x);
    case CK_ACTIVATION_QUICK_GELU: return quick_gelu(x);
    case CK_ACTIVATION_IDENTITY: return x;
    }
    return x;
}

#endif
