// A replacement for libjpeg's whole-image coefficient arrays ("virtual block arrays") that keeps each block
// row compressed — every DC coefficient, and only the nonzero AC coefficients — and decompresses into a small
// window of rows only the rows libjpeg asks for. See sparse_coefficients.c.
#ifndef CJPEG_SPARSE_COEFFICIENTS_H
#define CJPEG_SPARSE_COEFFICIENTS_H

#include <stddef.h>
#include <stdio.h>

#include <jpeglib.h>

struct cjpeg_sparse_store {
    /// libjpeg's own memory-manager methods that this store replaces or wraps.
    struct jpeg_memory_mgr original;
    /// The arrays requested so far (a singly linked list of `struct jvirt_barray_control`).
    struct jvirt_barray_control *arrays;
    /// Bytes the arrays hold now (compressed rows, windows, scratch), and the most they may hold.
    size_t bytes;
    size_t limit;
    /// The number of bytes that did not fit, once the limit has stopped a decode (0 otherwise).
    size_t refused_bytes;
};

/// Routes `info`'s block-array requests to `store`, which must outlive `info`. Call once, after
/// `jpeg_create_decompress`. The store frees its arrays when libjpeg frees the image pool
/// (`jpeg_finish_decompress`, `jpeg_abort`) and when `jpeg_destroy_decompress` destroys `info`.
void cjpeg_sparse_store_install(j_decompress_ptr info, struct cjpeg_sparse_store *store);

/// The fewest bytes the store needs for an array of `blocks` blocks in `rows` rows of `window_rows` window:
/// every block's DC coefficient and count byte, the window and the compression scratch.
size_t cjpeg_sparse_store_minimum_bytes(size_t blocks_per_row, size_t rows, size_t window_rows);

#endif
