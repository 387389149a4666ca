// Packing of weights for the reduced-precision kernels (see ck_gemm.h), once at load. Portable C.
#include "ck_gemm.h"
#include <math.h>
#include <string.h>

static inline uint32_t bf16_round(float value) {
    uint32_t bits;
    memcpy(&bits, &value, 4);
    if ((bits & 0x7FFFFFFF) > 0x7F800000) return (bits >> 16) | 0x40;
    return (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
}

// Element (k, j) of B given as B or Bᵀ.
static inline float element(const float *b, size_t ldb, int transposed, size_t step, size_t column) {
    return transposed ? b[column * ldb + step] : b[step * ldb + column];
}

size_t ck_packed_b_words(size_t k, size_t n, size_t nr, ck_gemm_format format) {
    const size_t columns = (n + nr - 1) / nr * nr;
    switch (format) {
    case CK_FORMAT_BF16: return (k + 1) / 2 * columns;
    case CK_FORMAT_INT8: return (k + 3) / 4 * columns;
    default: return k * columns;
    }
}

void ck_pack_b_bf16(const float *b, size_t ldb, int b_transposed, size_t k, size_t n, size_t nr,
                    size_t first_panel, size_t end_panel, uint32_t *packed) {
    const size_t pairs = (k + 1) / 2;
    for (size_t panel = first_panel; panel < end_panel; panel++) {
        uint32_t *out = packed + panel * pairs * nr;
        for (size_t j = 0; j < nr; j++) {
            const size_t column = panel * nr + j;
            for (size_t pair = 0; pair < pairs; pair++) {
                uint32_t word = 0;
                if (column < n) {
                    word = bf16_round(element(b, ldb, b_transposed, 2 * pair, column));
                    if (2 * pair + 1 < k) word |= bf16_round(element(b, ldb, b_transposed, 2 * pair + 1, column)) << 16;
                }
                out[pair * nr + j] = word;
            }
        }
    }
}

void ck_pack_b_int8(const float *b, size_t ldb, int b_transposed, size_t k, size_t n, size_t nr,
                    size_t first_panel, size_t end_panel, uint32_t *packed, float *scales, int32_t *offsets) {
    const size_t quads = (k + 3) / 4;
    for (size_t panel = first_panel; panel < end_panel; panel++) {
        uint32_t *out = packed + panel * quads * nr;
        for (size_t j = 0; j < nr; j++) {
            const size_t column = panel * nr + j;
            float largest = 0;
            for (size_t step = 0; column < n && step < k; step++) {
                const float magnitude = fabsf(element(b, ldb, b_transposed, step, column));
                largest = magnitude > largest ? magnitude : largest;
            }
            const float inverse = largest > 0 ? 127 / largest : 0;
            int32_t sum = 0;
            for (size_t quad = 0; quad < quads; quad++) {
                uint32_t word = 0;
                for (size_t byte = 0; byte < 4; byte++) {
                    const size_t step = quad * 4 + byte;
                    int q = 0;
                    if (column < n && step < k) {
                        const float rounded = nearbyintf(element(b, ldb, b_transposed, step, column) * inverse);
                        q = rounded > 127 ? 127 : rounded < -127 ? -127 : (int)rounded;
                    }
                    sum += q;
                    word |= (uint32_t)(uint8_t)(int8_t)q << (8 * byte);
                }
                out[quad * nr + j] = word;
            }
            if (column < n) {
                scales[column] = largest / 127;
                offsets[column] = sum;
            }
        }
    }
}
