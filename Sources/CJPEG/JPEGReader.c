// The scanline reader declared in include/CJPEG.h. Each public function that calls libjpeg establishes a
// setjmp point in its own frame before doing so; error_exit longjmps back there, and the function returns -1.
// Once an error has occurred, the libjpeg object is only ever aborted or destroyed.
#include "CJPEG.h"
#include "sparse_coefficients.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

struct cjpeg_error_manager {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    void (*default_emit_message)(j_common_ptr, int);
    int warned;
    char message[JMSG_LENGTH_MAX];
};

struct cjpeg_progress_manager {
    struct jpeg_progress_mgr base;
    int max_scans;
};

struct cjpeg_reader {
    struct jpeg_decompress_struct info;
    struct cjpeg_error_manager error;
    struct cjpeg_progress_manager progress;
    struct cjpeg_sparse_store store;
    int sparse;
    int created;
    int failed;
};

static void cjpeg_error_exit(j_common_ptr info) {
    struct cjpeg_error_manager *error = (struct cjpeg_error_manager *)info->err;
    (*info->err->output_message)(info);
    longjmp(error->jump, 1);
}

static void cjpeg_output_message(j_common_ptr info) {
    struct cjpeg_error_manager *error = (struct cjpeg_error_manager *)info->err;
    (*info->err->format_message)(info, error->message);
}

static void cjpeg_emit_message(j_common_ptr info, int level) {
    struct cjpeg_error_manager *error = (struct cjpeg_error_manager *)info->err;
    // libjpeg's own emit_message formats the first warning (through output_message) and counts the rest.
    error->default_emit_message(info, level);
    if (level < 0) error->warned = 1;
}

static void cjpeg_progress_monitor(j_common_ptr info) {
    struct cjpeg_progress_manager *progress = (struct cjpeg_progress_manager *)info->progress;
    if (!info->is_decompressor || progress->max_scans <= 0) return;
    if (((j_decompress_ptr)info)->input_scan_number > progress->max_scans) {
        struct cjpeg_error_manager *error = (struct cjpeg_error_manager *)info->err;
        snprintf(error->message, sizeof error->message, "Progressive JPEG image has more than %d scans",
                 progress->max_scans);
        longjmp(error->jump, 1);
    }
}

cjpeg_reader *cjpeg_reader_create(int max_scans, int sparse_coefficients) {
    cjpeg_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) return NULL;
    reader->info.err = jpeg_std_error(&reader->error.base);
    reader->error.base.error_exit = cjpeg_error_exit;
    reader->error.base.output_message = cjpeg_output_message;
    reader->error.default_emit_message = reader->error.base.emit_message;
    reader->error.base.emit_message = cjpeg_emit_message;
    reader->progress.base.progress_monitor = cjpeg_progress_monitor;
    reader->progress.max_scans = max_scans;
    reader->sparse = sparse_coefficients;
    if (setjmp(reader->error.jump)) {
        // jpeg_create_decompress fails only when its first allocation does.
        free(reader);
        return NULL;
    }
    jpeg_create_decompress(&reader->info);
    reader->created = 1;
    reader->info.progress = &reader->progress.base;
    if (reader->sparse) cjpeg_sparse_store_install(&reader->info, &reader->store);
    return reader;
}

void cjpeg_reader_destroy(cjpeg_reader *reader) {
    if (reader == NULL) return;
    if (reader->created) jpeg_destroy_decompress(&reader->info);  // frees the sparse store's arrays too
    free(reader);
}

static size_t cjpeg_round_up(size_t value, size_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

// The whole-image coefficient arrays jdcoefct.c requests for multi-scan files (one JBLOCK of 64 coefficients
// per 8×8 block, each component padded to whole MCUs, with a window of one iMCU row, five for a progressive
// file's block smoothing) — or, in the sparse store, the least those arrays can take — and a generous estimate
// of everything else: the main buffer with context rows, the upsampler's rows and the output row, per component.
static void cjpeg_measure(const struct jpeg_decompress_struct *info, int sparse, cjpeg_header *header) {
    size_t coefficients = 0, working = 256 * 1024;
    for (int index = 0; index < info->num_components; index++) {
        const jpeg_component_info *component = &info->comp_info[index];
        size_t columns = cjpeg_round_up(component->width_in_blocks, (size_t)component->h_samp_factor);
        size_t rows = cjpeg_round_up(component->height_in_blocks, (size_t)component->v_samp_factor);
        size_t window = (size_t)component->v_samp_factor * (info->progressive_mode ? 5 : 1);
        coefficients += sparse ? cjpeg_sparse_store_minimum_bytes(columns, rows, window < rows ? window : rows)
                               : columns * rows * sizeof(JBLOCK);
        working += columns * DCTSIZE * (size_t)component->v_samp_factor * DCTSIZE * 4;
        working += (size_t)info->image_width * (size_t)info->max_v_samp_factor * 4;
    }
    working += (size_t)info->image_width * 4 * 4;
    header->buffers_whole_image = jpeg_has_multiple_scans((j_decompress_ptr)info) ? 1 : 0;
    header->coefficient_bytes = header->buffers_whole_image ? coefficients : 0;
    header->working_bytes = working;
}

int cjpeg_reader_read_header(cjpeg_reader *reader, const unsigned char *data, size_t size,
                             cjpeg_header *header) {
    if (reader->failed) return -1;
    if (setjmp(reader->error.jump)) {
        reader->failed = 1;
        return -1;
    }
    jpeg_mem_src(&reader->info, data, (unsigned long)size);
    jpeg_read_header(&reader->info, TRUE);
    header->width = (int)reader->info.image_width;
    header->height = (int)reader->info.image_height;
    header->components = reader->info.num_components;
    cjpeg_measure(&reader->info, reader->sparse, header);
    return 0;
}

int cjpeg_reader_start(cjpeg_reader *reader, int cmyk, size_t max_memory) {
    if (reader->failed) return -1;
    if (setjmp(reader->error.jump)) {
        reader->failed = 1;
        return -1;
    }
    reader->info.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGB;
    reader->info.dct_method = JDCT_ISLOW;
    reader->info.do_fancy_upsampling = TRUE;
    reader->info.mem->max_memory_to_use = (long)max_memory;
    reader->store.limit = max_memory > 0 ? max_memory : SIZE_MAX;
    jpeg_start_decompress(&reader->info);
    return 0;
}

int cjpeg_reader_rows_per_call(const cjpeg_reader *reader) {
    return reader->info.rec_outbuf_height > 0 ? reader->info.rec_outbuf_height : 1;
}

int cjpeg_reader_read_rows(cjpeg_reader *reader, unsigned char *buffer, size_t stride, int capacity,
                           int *rows) {
    *rows = 0;
    if (reader->failed) return -1;
    JSAMPROW pointers[8];
    if (capacity > 8) capacity = 8;
    for (int row = 0; row < capacity; row++) pointers[row] = buffer + (size_t)row * stride;
    if (setjmp(reader->error.jump)) {
        reader->failed = 1;
        return -1;
    }
    if (reader->info.output_scanline < reader->info.output_height) {
        *rows = (int)jpeg_read_scanlines(&reader->info, pointers, (JDIMENSION)capacity);
    }
    return 0;
}

int cjpeg_reader_finish(cjpeg_reader *reader) {
    if (reader->failed) return -1;
    if (setjmp(reader->error.jump)) {
        reader->failed = 1;
        return -1;
    }
    jpeg_finish_decompress(&reader->info);
    return 0;
}

size_t cjpeg_reader_refused_bytes(const cjpeg_reader *reader) {
    return reader->sparse ? reader->store.refused_bytes : 0;
}

int cjpeg_reader_warned(const cjpeg_reader *reader) {
    return reader->error.warned;
}

const char *cjpeg_reader_message(const cjpeg_reader *reader) {
    return reader->error.message;
}
