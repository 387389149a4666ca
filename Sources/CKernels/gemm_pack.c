// Packing of GEMM operands into the kernels' layouts (see ck_gemm.h). Portable C: packing is a copy,
// bound by memory, and runs once per weight (B) or once per product (A).
#include "ck_gemm.h"

size_t ck_gemm_panel_width(ck_gemm_family family) { return family == CK_GEMM_AVX512 ? 32 : 16; }
size_t ck_gemm_strip_height(ck_gemm_family family) { return family == CK_GEMM_AVX512 ? 12 : 6; }

size_t ck_packed_b_count(size_t k, size_t n, size_t nr) { return (n + nr - 1) / nr * nr * k; }
size_t ck_packed_a_count(size_t m, size_t k, size_t mr) { return (m + mr - 1) / mr * mr * k; }

// One packing loop per source type; `load(b, index)` reads element `index` of the source.
#define CK_DEFINE_PACK_B(name, type, load)                                                              \
    void name(const type *b, size_t ldb, int b_transposed, size_t k, size_t n, size_t nr,              \
              size_t first_panel, size_t end_panel, float *packed) {                                   \
        for (size_t panel = first_panel; panel < end_panel; panel++) {                                 \
            float *out = packed + panel * k * nr;                                                      \
            const size_t column = panel * nr, columns = n - column < nr ? n - column : nr;             \
            if (b_transposed) {                                                                        \
                /* Row j of the source is column j of B: eight rows walked side by side, so each */   \
                /* step writes eight neighbouring floats (one row at a time writes one float per */    \
                /* 128-byte line). */                                                                  \
                size_t j = 0;                                                                          \
                for (; j + 8 <= columns; j += 8) {                                                     \
                    const type *s = b + (column + j) * ldb;                                            \
                    for (size_t step = 0; step < k; step++) {                                          \
                        float *o = out + step * nr + j;                                                \
                        for (size_t r = 0; r < 8; r++) o[r] = load(s + r * ldb, step);                 \
                    }                                                                                  \
                }                                                                                      \
                for (; j < nr; j++) {                                                                  \
                    const type *source = b + (column + j) * ldb;                                       \
                    for (size_t step = 0; step < k; step++) out[step * nr + j] = j < columns ? load(source, step) : 0; \
                }                                                                                      \
            } else {                                                                                   \
                for (size_t step = 0; step < k; step++) {                                              \
                    const type *source = b + step * ldb + column;                                      \
                    float *o = out + step * nr;                                                        \
                    /* A full panel without the bound check, so the copy vectorises. */                \
                    if (columns == nr) for (size_t j = 0; j < nr; j++) o[j] = load(source, j);        \
                    else for (size_t j = 0; j < nr; j++) o[j] = j < columns ? load(source, j) : 0;    \
                }                                                                                      \
            }                                                                                          \
        }                                                                                              \
    }

#define CK_LOAD_F32(p, i) ((p)[i])
CK_DEFINE_PACK_B(ck_pack_b, float, CK_LOAD_F32)

void ck_pack_a(const float *a, size_t lda, size_t m, size_t k, size_t mr, size_t first_strip, size_t end_strip,
               float *packed) {
    for (size_t strip = first_strip; strip < end_strip; strip++) {
        float *out = packed + strip * k * mr;
        const size_t row = strip * mr, rows = m - row < mr ? m - row : mr;
        // Reads the strip's rows side by side and writes the packed strip contiguously.
        for (size_t step = 0; step < k; step++) {
            float *column = out + step * mr;
            size_t i = 0;
            for (; i < rows; i++) column[i] = a[(row + i) * lda + step];
            for (; i < mr; i++) column[i] = 0;
        }
    }
}
