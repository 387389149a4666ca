// libjpeg's compressor behind the small interface of include/JPEGTestEncoder.h; errors longjmp back to
// jpeg_test_encode, which returns -1.
#include "JPEGTestEncoder.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

struct jpeg_test_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
};

static void jpeg_test_error_exit(j_common_ptr info) {
    longjmp(((struct jpeg_test_error *)info->err)->jump, 1);
}

static void jpeg_test_silent(j_common_ptr info) { (void)info; }

/// Fills `scan`: `count` components from `first`, spectral band [ss, se], successive approximation ah → al.
static void jpeg_test_scan(jpeg_scan_info *scan, int first, int count, int ss, int se, int ah, int al) {
    scan->comps_in_scan = count;
    for (int index = 0; index < count; index++) scan->component_index[index] = first + index;
    scan->Ss = ss;
    scan->Se = se;
    scan->Ah = ah;
    scan->Al = al;
}

/// The script for `JPEG_TEST_SEQUENTIAL_PER_COMPONENT` or `JPEG_TEST_NARROW_BANDS`; returns the scan count.
static int jpeg_test_script_scans(jpeg_test_script script, int components, jpeg_scan_info *scans) {
    int count = 0;
    if (script == JPEG_TEST_SEQUENTIAL_PER_COMPONENT) {
        for (int component = 0; component < components; component++) {
            jpeg_test_scan(&scans[count++], component, 1, 0, 63, 0, 0);
        }
        return count;
    }
    static const int bands[][2] = {{1, 1}, {2, 5}, {6, 14}, {15, 35}, {36, 63}};
    for (int component = 0; component < components; component++) {
        jpeg_test_scan(&scans[count++], component, 1, 0, 0, 0, 2);
    }
    for (int component = 0; component < components; component++) {
        for (int band = 0; band < 5; band++) {
            jpeg_test_scan(&scans[count++], component, 1, bands[band][0], bands[band][1], 0, 2);
        }
    }
    jpeg_test_scan(&scans[count++], 0, components, 0, 0, 2, 1);
    jpeg_test_scan(&scans[count++], 0, components, 0, 0, 1, 0);
    for (int component = 0; component < components; component++) {
        jpeg_test_scan(&scans[count++], component, 1, 1, 63, 2, 1);
        jpeg_test_scan(&scans[count++], component, 1, 1, 63, 1, 0);
    }
    return count;
}

int jpeg_test_encode(const unsigned char *pixels, const jpeg_test_settings *settings, unsigned char **output,
                     size_t *size) {
    struct jpeg_compress_struct info;
    struct jpeg_test_error error;
    jpeg_scan_info scans[64];
    unsigned char *buffer = NULL;
    unsigned long length = 0;
    info.err = jpeg_std_error(&error.base);
    error.base.error_exit = jpeg_test_error_exit;
    error.base.output_message = jpeg_test_silent;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        return -1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &length);
    info.image_width = (JDIMENSION)settings->width;
    info.image_height = (JDIMENSION)settings->height;
    info.input_components = settings->components;
    info.in_color_space = settings->components == 1 ? JCS_GRAYSCALE : settings->components == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, settings->quality, TRUE);
    info.comp_info[0].h_samp_factor = settings->horizontal_sampling;
    info.comp_info[0].v_samp_factor = settings->vertical_sampling;
    for (int component = 1; component < settings->components; component++) {
        info.comp_info[component].h_samp_factor = 1;
        info.comp_info[component].v_samp_factor = 1;
    }
    info.restart_in_rows = settings->restart_rows;
    info.arith_code = settings->arithmetic ? TRUE : FALSE;
    if (settings->script == JPEG_TEST_SIMPLE_PROGRESSION) {
        jpeg_simple_progression(&info);
    } else {
        info.scan_info = scans;
        info.num_scans = jpeg_test_script_scans(settings->script, settings->components, scans);
    }
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)settings->width * (size_t)settings->components;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + info.next_scanline * stride);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *output = buffer;
    *size = length;
    return 0;
}

void jpeg_test_free(unsigned char *output) { free(output); }
