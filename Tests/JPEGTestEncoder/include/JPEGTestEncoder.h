// Writes JPEG files with libjpeg's compressor for the decoder's tests: any size, 1, 3 or 4 components,
// any sampling of the first component, and several multi-scan scripts, so that the tests can make progressive
// files the fixtures do not have.
#ifndef JPEG_TEST_ENCODER_H
#define JPEG_TEST_ENCODER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum jpeg_test_script {
    /// libjpeg's `jpeg_simple_progression`: spectral selection and successive approximation (what Pillow's
    /// `progressive=True` writes).
    JPEG_TEST_SIMPLE_PROGRESSION = 0,
    /// One sequential scan per component (multi-scan, not progressive).
    JPEG_TEST_SEQUENTIAL_PER_COMPONENT = 1,
    /// Many narrow spectral bands per component, each first coded with a point transform and then refined
    /// bit by bit, and the DC coded per component.
    JPEG_TEST_NARROW_BANDS = 2,
} jpeg_test_script;

typedef struct jpeg_test_settings {
    int width;
    int height;
    /// 1 (gray), 3 (YCbCr from RGB) or 4 (CMYK, stored as is).
    int components;
    /// Sampling factors of the first component (1–4 each; the others have 1 × 1).
    int horizontal_sampling;
    int vertical_sampling;
    int quality;
    jpeg_test_script script;
    /// Restart interval in MCU rows (0 for none).
    int restart_rows;
    /// Nonzero: arithmetic coding (SOF9/SOF10) instead of Huffman tables.
    int arithmetic;
} jpeg_test_settings;

/// Compresses `pixels` (`components` bytes per pixel, rows of `width` pixels) into a new buffer, which
/// `jpeg_test_free` releases. Returns 0, or -1 with nothing allocated.
int jpeg_test_encode(const unsigned char *pixels, const jpeg_test_settings *settings, unsigned char **output,
                     size_t *size);

void jpeg_test_free(unsigned char *output);

#ifdef __cplusplus
}
#endif

#endif
