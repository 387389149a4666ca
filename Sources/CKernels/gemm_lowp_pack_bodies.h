// Per-product packing of A for the reduced-precision kernels, compiled with each instruction set's
// `target` so the loops vectorise (included by gemm_avx2.c and gemm_avx512.c after vector_math.h).
// `value` rounded to the nearest bfloat16 (ties to even), as its 16 bits; NaN stays a quiet NaN.
static inline uint32_t bf16_bits(float value) {
    uint32_t bits;
    __builtin_memcpy(&bits, &value, 4);
    if ((bits & 0x7FFFFFFF) > 0x7F800000) return (bits >> 16) | 0x40;
    return (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
}

void CK_NAME(pack_a_bf16)(const float *a, size_t lda, size_t m, size_t k, size_t first_strip, size_t end_strip,
                          uint32_t *packed) {
    const size_t pairs = (k + 1) / 2;
    for (size_t strip = first_strip; strip < end_strip; strip++) {
        uint32_t *out = packed + strip * pairs * CK_STRIP;
        for (size_t i = 0; i < CK_STRIP; i++) {
            const size_t row = strip * CK_STRIP + i;
            if (row >= m) {
                for (size_t pair = 0; pair < pairs; pair++) out[pair * CK_STRIP + i] = 0;
                continue;
            }
            const float *source = a + row * lda;
            for (size_t pair = 0; pair < k / 2; pair++)
                out[pair * CK_STRIP + i] = bf16_bits(source[2 * pair]) | bf16_bits(source[2 * pair + 1]) << 16;
            if (k % 2) out[(pairs - 1) * CK_STRIP + i] = bf16_bits(source[k - 1]);
        }
    }
}

// Row i is quantised symmetrically, q = round(a / s) with s = max|a| / 127 (to nearest even), and
// stored as q + 128 (unsigned, as vpdpbusd wants it); its scale s goes to `scales[i]`. A row that
// is all zeros gets s = 0; a row holding NaN or ±∞ gets s = NaN, so its outputs are NaN, as they
// would be in Float32.
void CK_NAME(quantize_a_int8)(const float *a, size_t lda, size_t m, size_t k, size_t first_strip,
                              size_t end_strip, uint32_t *packed, float *scales) {
    const size_t quads = (k + 3) / 4;
    for (size_t strip = first_strip; strip < end_strip; strip++) {
        uint32_t *out = packed + strip * quads * CK_STRIP;
        for (size_t i = 0; i < CK_STRIP; i++) {
            const size_t row = strip * CK_STRIP + i;
            if (row >= m) {
                for (size_t quad = 0; quad < quads; quad++) out[quad * CK_STRIP + i] = 0x80808080u;
                continue;
            }
            const float *source = a + row * lda;
            float largest = 0;
            for (size_t step = 0; step < k; step++) {
                const float magnitude = fabsf(source[step]);
                largest = magnitude > largest ? magnitude : largest;
            }
            int finite = 1;
            for (size_t step = 0; step < k; step++) finite &= isfinite(source[step]) ? 1 : 0;
            scales[row] = finite ? largest / 127 : NAN;
            const float inverse = largest > 0 && finite ? 127 / largest : 0;
            for (size_t quad = 0; quad < quads; quad++) {
                uint32_t word = 0;
                for (size_t byte = 0; byte < 4; byte++) {
                    const size_t step = quad * 4 + byte;
                    const float q = step < k ? nearbyintf(source[step] * inverse) : 0;
                    const int clamped = q > 127 ? 127 : q < -127 ? -127 : (int)q;
                    word |= (uint32_t)(clamped + 128) << (8 * byte);
                }
                out[quad * CK_STRIP + i] = word;
            }
        }
    }
}
