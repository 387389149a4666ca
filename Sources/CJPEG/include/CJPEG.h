// A row-by-row JPEG reader over libjpeg-turbo's scanline API (Debian: libjpeg62-turbo-dev).
//
// libjpeg reports fatal errors by longjmp from its error_exit callback. Every function here that calls into
// libjpeg sets its own setjmp point first, so a longjmp only ever unwinds C frames of this file and libjpeg;
// callers (Swift) see a return code and a message, never a jump across their frames.
#ifndef CJPEG_H
#define CJPEG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An opaque decompressor: one libjpeg decompress object with its error and progress handlers.
typedef struct cjpeg_reader cjpeg_reader;

/// What `cjpeg_reader_read_header` learns from the markers before the first scan.
typedef struct cjpeg_header {
    /// Columns and rows of the frame.
    int width;
    int height;
    /// Components in the frame (1, 3 or 4).
    int components;
    /// Whether libjpeg keeps the whole image's DCT coefficients (progressive or multi-scan files).
    int buffers_whole_image;
    /// Bytes of that coefficient buffer (0 when it is not needed): the whole buffer in libjpeg's own arrays,
    /// the least it can take (DC coefficients, count bytes, windows) in the sparse store, which grows with the
    /// nonzero coefficients the scans decode.
    size_t coefficient_bytes;
    /// An estimate of libjpeg's other working memory (row buffers, upsampling, tables).
    size_t working_bytes;
} cjpeg_header;

/// A new reader, or NULL if memory is exhausted. `max_scans` > 0 refuses progressive files with more
/// scans (as TurboJPEG's TJFLAG_LIMITSCANS does with 500). A nonzero `sparse_coefficients` keeps a
/// multi-scan file's coefficients compressed (sparse_coefficients.c) instead of in libjpeg's whole arrays;
/// the pixels are the same.
cjpeg_reader *cjpeg_reader_create(int max_scans, int sparse_coefficients);

/// Releases the reader and everything libjpeg allocated for it.
void cjpeg_reader_destroy(cjpeg_reader *reader);

/// Reads the markers up to the first scan of the `size` bytes at `data`, which must stay valid until the
/// reader is destroyed. Returns 0, or -1 with `cjpeg_reader_message` set.
int cjpeg_reader_read_header(cjpeg_reader *reader, const unsigned char *data, size_t size,
                             cjpeg_header *header);

/// Starts decompression to RGB (3 bytes per pixel) or, if `cmyk` is nonzero, CMYK (4 bytes), with
/// libjpeg's defaults (accurate integer IDCT, fancy upsampling), as TurboJPEG and Pillow decode.
/// `max_memory` (bytes, 0 for no limit) caps libjpeg's whole-image buffers (or the sparse store's).
/// Returns 0 or -1.
int cjpeg_reader_start(cjpeg_reader *reader, int cmyk, size_t max_memory);

/// The most rows one `cjpeg_reader_read_rows` call may produce (libjpeg's rec_outbuf_height).
int cjpeg_reader_rows_per_call(const cjpeg_reader *reader);

/// Decodes the next rows into `buffer` (rows `stride` bytes apart, at most `capacity` rows); stores how many
/// were produced in `rows`. Returns 0 or -1.
int cjpeg_reader_read_rows(cjpeg_reader *reader, unsigned char *buffer, size_t stride, int capacity,
                           int *rows);

/// Reads the rest of the data up to the end-of-image marker, as TurboJPEG does after the last row.
/// Returns 0 or -1.
int cjpeg_reader_finish(cjpeg_reader *reader);

/// When the sparse store's limit stopped the decode: the bytes it would have needed (at least); else 0.
size_t cjpeg_reader_refused_bytes(const cjpeg_reader *reader);

/// Whether libjpeg has issued a warning (e.g. "Premature end of JPEG file") since the header was read.
int cjpeg_reader_warned(const cjpeg_reader *reader);

/// The last error or warning libjpeg reported, or an empty string.
const char *cjpeg_reader_message(const cjpeg_reader *reader);

#ifdef __cplusplus
}
#endif

#endif
