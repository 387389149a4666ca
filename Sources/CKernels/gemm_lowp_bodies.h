// The reduced-precision GEMM kernels, written once over vector_math.h's generic vector (see
// ck_gemm.h for the layouts) and included by one .c file per instruction set, which also sets
//   CK_BF16_NATIVE  1: `vdpbf16ps` (AVX512-BF16);  0: the same arithmetic in fused multiply-adds
//   CK_INT8_NATIVE  1: `vpdpbusd` (AVX512-VNNI);   0: the same sums by `vpmaddwd` on x86 (32-bit
//                   integer multiplies elsewhere)
//   CK_DEFINE_BF16 / CK_DEFINE_INT8  which of the two to define.
//
// bfloat16: one 32-bit word holds two consecutive k of a row (low half k, high half k + 1); a
// product of two bfloat16 values is exact in Float32, so `vdpbf16ps`'s two accumulation steps
// (k + 1 first, then k, each rounded once) are two fused multiply-adds, which the emulation does
// in that order. Both flush subnormal inputs to zero only on the native path; ViT activations and
// weights never come near 1e-38.
// int8: one word holds four consecutive k; activations are u8 (with a zero point per row), weights s8, and the
// 32-bit sums are exact on both paths, so they agree bit for bit.
#include "gemm_common.h"

typedef unsigned int vu __attribute__((vector_size(CK_WIDTH * 4)));

INLINE float float_bits(uint32_t bits) {
    float value;
    __builtin_memcpy(&value, &bits, 4);
    return value;
}

// The aligned vector of 32-bit words at `p`.
INLINE vi load_words(const uint32_t *p) { return *(const vi *)p; }

#if CK_DEFINE_BF16
// One tile of a bfloat16 product; `a` is a packed strip, `b` a packed panel, both in pair words.
INLINE void tile_bf16(const int rows, const ck_gemm_problem *p, const uint32_t *restrict a,
                      const uint32_t *restrict b, size_t row, size_t column, size_t columns) {
#if CK_BF16_NATIVE
#define CK_BF16_STEP(pair)                                                                           \
    const vi w0 = load_words(b + pair * CK_PANEL), w1 = load_words(b + pair * CK_PANEL + CK_WIDTH);   \
    const uint32_t *as = a + pair * CK_STRIP;                                                        \
    _Pragma("clang loop unroll(full)")                                                               \
    for (int i = 0; i < rows; i++) {                                                                 \
        const __m512bh ai = (__m512bh)splat_int((int)as[i]);                                           \
        low[i] = (vf)_mm512_dpbf16_ps((__m512)low[i], ai, (__m512bh)w0);                             \
        high[i] = (vf)_mm512_dpbf16_ps((__m512)high[i], ai, (__m512bh)w1);                           \
    }
#else
#define CK_BF16_STEP(pair)                                                                           \
    const vi w0 = load_words(b + pair * CK_PANEL), w1 = load_words(b + pair * CK_PANEL + CK_WIDTH);   \
    const uint32_t *as = a + pair * CK_STRIP;                                                        \
    const vi upper = splat_int((int)0xFFFF0000);                                                       \
    const vf odd0 = (vf)(w0 & upper), even0 = (vf)(w0 << 16);                                        \
    const vf odd1 = (vf)(w1 & upper), even1 = (vf)(w1 << 16);                                        \
    _Pragma("clang loop unroll(full)")                                                               \
    for (int i = 0; i < rows; i++) {                                                                 \
        const vf a_odd = splat(float_bits(as[i] & 0xFFFF0000u)), a_even = splat(float_bits(as[i] << 16)); \
        low[i] = fma_v(a_even, even0, fma_v(a_odd, odd0, low[i]));                                   \
        high[i] = fma_v(a_even, even1, fma_v(a_odd, odd1, high[i]));                                 \
    }
#endif
    CK_BLOCKED_TILE(rows, (p->k + 1) / 2, CK_K_BLOCK / 2, CK_BF16_STEP)
#undef CK_BF16_STEP
    store_tile(rows, total_low, total_high, p, row, column, columns);
}

CK_STRIP_DISPATCH(strip_tile_bf16, tile_bf16)

void CK_NAME(gemm_bf16)(const ck_gemm_problem *p, size_t first_panel, size_t end_panel) {
    const size_t strip_bytes = (p->k + 1) / 2 * CK_STRIP * 4;
    drive(p, first_panel, end_panel, strip_tile_bf16, p->a, strip_bytes, strip_bytes, p->packed_b,
          (p->k + 1) / 2 * CK_PANEL * 4);
}
#endif

#if CK_DEFINE_INT8
#if !CK_INT8_NATIVE && defined(__x86_64__)
typedef short vs __attribute__((vector_size(CK_WIDTH * 4)));
typedef unsigned short vus __attribute__((vector_size(CK_WIDTH * 4)));
// Lane i of the result: a[2i]·b[2i] + a[2i+1]·b[2i+1] in 32 bits (`vpmaddwd`).
INLINE vi multiply_add_pairs(vs a, vs b) {
#if CK_WIDTH == 16
    return (vi)_mm512_madd_epi16((__m512i)a, (__m512i)b);
#else
    return (vi)_mm256_madd_epi16((__m256i)a, (__m256i)b);
#endif
}
#endif

// Dequantises a row segment: (Σ q·w − z_row · Σ w) · (row scale · column scale), exact in 32 bits up
// to the conversion; then the epilogue's input.
INLINE vf dequantize(vi sum, const ck_gemm_problem *p, size_t row, size_t column, size_t lanes) {
    typedef int vi_unaligned __attribute__((vector_size(CK_WIDTH * 4), aligned(4)));
    vi column_sums = lanes == CK_WIDTH ? (vi)*(const vi_unaligned *)(p->b_offsets + column) : splat_int(0);
    vf scales = lanes == CK_WIDTH ? load(p->b_scales + column) : splat(0);
    if (lanes != CK_WIDTH) {
        for (size_t lane = 0; lane < lanes; lane++) {
            column_sums[lane] = p->b_offsets[column + lane];
            scales[lane] = p->b_scales[column + lane];
        }
    }
    const vi offset = column_sums * splat_int(p->a_zero_points[row]);
    return __builtin_convertvector(sum - offset, vf) * (splat(p->a_scales[row]) * scales);
}

// One tile of an int8 product; `a` is a quantised strip, `b` a quantised panel, both in quad words.
INLINE void tile_int8(const int rows, const ck_gemm_problem *p, const uint32_t *restrict a,
                      const uint32_t *restrict b, size_t row, size_t column, size_t columns) {
    vi low[CK_STRIP], high[CK_STRIP];
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) low[i] = high[i] = splat_int(0);
    const size_t quads = (p->k + 3) / 4;
    for (size_t quad = 0; quad < quads; quad++) {
        const vi w0 = load_words(b + quad * CK_PANEL), w1 = load_words(b + quad * CK_PANEL + CK_WIDTH);
        const uint32_t *as = a + quad * CK_STRIP;
#if CK_INT8_NATIVE
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            const __m512i ai = (__m512i)splat_int((int)as[i]);
            low[i] = (vi)_mm512_dpbusd_epi32((__m512i)low[i], ai, (__m512i)w0);
            high[i] = (vi)_mm512_dpbusd_epi32((__m512i)high[i], ai, (__m512i)w1);
        }
#elif defined(__x86_64__)
        // u8 · s8 products in 16-bit lanes, two to a 32-bit lane, summed by `vpmaddwd` (AVX2, and
        // AVX512-BW): exact, as |u8·s8 + u8·s8| ≤ 2·255·127. A word's even bytes (k, k + 2) and odd
        // bytes (k + 1, k + 3) are widened apart, so each 32-bit lane gets the same four products as
        // `vpdpbusd` and the sums agree bit for bit.
        const vs b_even0 = ((vs)w0 << 8) >> 8, b_odd0 = (vs)w0 >> 8;
        const vs b_even1 = ((vs)w1 << 8) >> 8, b_odd1 = (vs)w1 >> 8;
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            const vi ai = splat_int((int)as[i]);
            const vs a_even = (vs)(ai & 0x00FF00FF), a_odd = (vs)((vus)ai >> 8);
            low[i] += multiply_add_pairs(a_even, b_even0) + multiply_add_pairs(a_odd, b_odd0);
            high[i] += multiply_add_pairs(a_even, b_even1) + multiply_add_pairs(a_odd, b_odd1);
        }
#else
        // The four signed bytes of every word, sign-extended.
        const vi b00 = (w0 << 24) >> 24, b01 = (w0 << 16) >> 24, b02 = (w0 << 8) >> 24, b03 = w0 >> 24;
        const vi b10 = (w1 << 24) >> 24, b11 = (w1 << 16) >> 24, b12 = (w1 << 8) >> 24, b13 = w1 >> 24;
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            const uint32_t word = as[i];
            const vi a0 = splat_int((int)(word & 0xFF)), a1 = splat_int((int)((word >> 8) & 0xFF));
            const vi a2 = splat_int((int)((word >> 16) & 0xFF)), a3 = splat_int((int)(word >> 24));
            low[i] += a0 * b00 + a1 * b01 + a2 * b02 + a3 * b03;
            high[i] += a0 * b10 + a1 * b11 + a2 * b12 + a3 * b13;
        }
#endif
    }
    vf low_f[CK_STRIP], high_f[CK_STRIP];
    const size_t low_lanes = columns < CK_WIDTH ? columns : CK_WIDTH;
    const size_t high_lanes = columns > CK_WIDTH ? columns - CK_WIDTH : 0;
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        low_f[i] = dequantize(low[i], p, row + i, column, low_lanes);
        high_f[i] = high_lanes ? dequantize(high[i], p, row + i, column + CK_WIDTH, high_lanes) : splat(0);
    }
    store_tile(rows, low_f, high_f, p, row, column, columns);
}

CK_STRIP_DISPATCH(strip_tile_int8, tile_int8)

void CK_NAME(gemm_int8)(const ck_gemm_problem *p, size_t first_panel, size_t end_panel) {
    const size_t strip_bytes = (p->k + 3) / 4 * CK_STRIP * 4;
    drive(p, first_panel, end_panel, strip_tile_int8, p->a, strip_bytes, strip_bytes, p->packed_b,
          (p->k + 3) / 4 * CK_PANEL * 4);
}
#endif
