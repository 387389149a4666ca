// Whole-image DCT coefficients for progressive (and other multi-scan) JPEGs, in memory proportional to what the
// file encodes rather than to the image's area.
//
// libjpeg keeps every coefficient of a multi-scan image until its last scan: 64 16-bit values per 8×8 block,
// 2 bytes per sample (507 MB for a 13,000² 4:2:0 image), through the memory manager's "virtual block arrays",
// whose methods are public function pointers (jpeglib.h: `request_virt_barray`, `access_virt_barray`). Its
// jmemmgr.c holds them whole in memory (libjpeg-turbo has no backing store). This file replaces those methods:
//
// - Each block row is stored compressed: the row's DC coefficients as 16-bit values, then per block a count
//   byte of its nonzero AC coefficients and, when there are any, a 64-bit mask of their positions followed by
//   their values. A block whose ACs are all zero (the usual case in the smooth parts of an image, and in every
//   block until the scans that code its band arrive) takes 3 bytes instead of 128.
// - libjpeg asks for at most `maxaccess` consecutive rows at a time (one iMCU row while consuming a scan, up
//   to five for the output pass's block smoothing). Those rows are decompressed into `maxaccess` slots of
//   uncompressed rows. A row not yet in a slot takes the slot of the most recently used row that this access
//   does not ask for (a free slot only if there is none), so a scan's pass over the image cycles through as
//   few slots as it asks rows at a time, which stay in the L2 cache (two 1,625-block rows: 416 KB), rather
//   than through all of them.
// - The output pass (the only access that does not write) gets the window's whole height from its first row,
//   not only the rows it asks for: libjpeg-turbo 2.1's block smoothing reads one iMCU row further on the second
//   iMCU row (see cjpeg_access_virt_barray).
// - Every eviction recompresses, whether or not libjpeg asked for write access: recompressing a row it only
//   read gives the same bytes, and not trusting the `writable` flag keeps the store correct whatever libjpeg
//   does with the pointers. Compressing also zeroes the slot again (only the positions it found nonzero), so a
//   slot is all zeros whenever it holds no row, which is what decompression writes onto.
//
// The decoded pixels are therefore exactly libjpeg's: the coefficients libjpeg reads are the ones it wrote.
// A nonzero AC coefficient costs the store at most 10 bytes (2, plus the mask when it is its block's first) and
// costs the file at least two bits (a Huffman symbol and a magnitude or sign bit; libjpeg leaves the rest of a
// segment zero once its data runs out), so the stored rows take 3 bytes a block plus at most about 40 bytes per
// byte of entropy-coded data, and never more than 137 bytes a block.
#include "sparse_coefficients.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// One block's worst case: its DC value, the count byte, the mask and 63 AC values.
enum { CJPEG_MAXIMUM_BLOCK_BYTES = 2 + 1 + 8 + 2 * (DCTSIZE2 - 1) };

static const JDIMENSION cjpeg_no_row = (JDIMENSION)-1;

struct cjpeg_stored_row {
    unsigned char *bytes;
    size_t size;
    size_t capacity;
};

// jpeglib.h declares this struct but leaves it incomplete; jmemmgr.c's own definition is private to that file,
// so this one is ours. libjpeg's coefficient controller only passes the pointer back to `access_virt_barray`.
struct jvirt_barray_control {
    struct jvirt_barray_control *next;
    JDIMENSION blocks_per_row;
    JDIMENSION rows;
    JDIMENSION window_rows;
    /// Each row's compressed form (size 0: never stored, all zeros).
    struct cjpeg_stored_row *stored;
    /// `window_rows` uncompressed rows of `blocks_per_row` blocks; all zeros where a slot holds no row.
    JBLOCKROW slots;
    /// The row each slot holds, or `cjpeg_no_row`, and when it was last asked for (`clock` then).
    JDIMENSION *slot_rows;
    uint64_t *slot_uses;
    uint64_t clock;
    /// What `access_virt_barray` returns: the requested rows' slots, in row order.
    JBLOCKROW *pointers;
    /// One row's worst-case compressed form, written before it is copied into the row's own buffer.
    unsigned char *scratch;
};

static struct cjpeg_sparse_store *cjpeg_store_of(j_common_ptr info) {
    return (struct cjpeg_sparse_store *)info->client_data;
}

/// What an array allocates when it is requested: everything but its stored rows.
static size_t cjpeg_fixed_bytes(size_t blocks_per_row, size_t rows, size_t window_rows) {
    return rows * sizeof(struct cjpeg_stored_row)                       // the row table
           + window_rows * blocks_per_row * sizeof(JBLOCK)              // the window
           + window_rows * (sizeof(JDIMENSION) + sizeof(uint64_t) + sizeof(JBLOCKROW))  // its bookkeeping
           + blocks_per_row * CJPEG_MAXIMUM_BLOCK_BYTES                 // the scratch row
           + sizeof(struct jvirt_barray_control);
}

size_t cjpeg_sparse_store_minimum_bytes(size_t blocks_per_row, size_t rows, size_t window_rows) {
    return blocks_per_row * rows * 3  // DC and count byte of every block
           + cjpeg_fixed_bytes(blocks_per_row, rows, window_rows);
}

/// Adds `bytes` to the store's total, or stops the decode if the total would pass the limit.
static void cjpeg_store_reserve(j_common_ptr info, struct cjpeg_sparse_store *store, size_t bytes) {
    if (bytes > store->limit || store->bytes > store->limit - bytes) {
        store->refused_bytes = store->bytes + bytes;
        ERREXIT1(info, JERR_OUT_OF_MEMORY, 90);
    }
    store->bytes += bytes;
}

/// Whether all of `block`'s AC coefficients are zero: the common case, tested before the mask is worth building.
static int cjpeg_ac_is_zero(const JCOEF *block) {
#if defined(__SSE2__)
    const __m128i *vectors = (const __m128i *)block;
    __m128i first = _mm_and_si128(_mm_loadu_si128(vectors), _mm_set_epi16(-1, -1, -1, -1, -1, -1, -1, 0));
    __m128i any = _mm_or_si128(_mm_or_si128(_mm_or_si128(first, _mm_loadu_si128(vectors + 1)),
                                            _mm_or_si128(_mm_loadu_si128(vectors + 2), _mm_loadu_si128(vectors + 3))),
                               _mm_or_si128(_mm_or_si128(_mm_loadu_si128(vectors + 4), _mm_loadu_si128(vectors + 5)),
                                            _mm_or_si128(_mm_loadu_si128(vectors + 6), _mm_loadu_si128(vectors + 7))));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(any, _mm_setzero_si128())) == 0xFFFF;
#else
    uint64_t any = 0;
    for (int k = 1; k < DCTSIZE2; k++) any |= (uint16_t)block[k];
    return any == 0;
#endif
}

/// The positions of `block`'s nonzero coefficients, bit k for coefficient k.
static uint64_t cjpeg_nonzero_mask(const JCOEF *block) {
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    uint64_t mask = 0;
    for (int group = 0; group < 4; group++) {
        __m128i low = _mm_loadu_si128((const __m128i *)(block + 16 * group));
        __m128i high = _mm_loadu_si128((const __m128i *)(block + 16 * group + 8));
        __m128i zeros = _mm_packs_epi16(_mm_cmpeq_epi16(low, zero), _mm_cmpeq_epi16(high, zero));
        uint64_t bits = (uint64_t)(~_mm_movemask_epi8(zeros) & 0xFFFF);
        mask |= bits << (16 * group);
    }
    return mask;
#else
    uint64_t mask = 0;
    for (int k = 0; k < DCTSIZE2; k++) mask |= (uint64_t)(block[k] != 0) << k;
    return mask;
#endif
}

/// Compresses `blocks` into `out` and zeroes them again; returns the compressed size.
static size_t cjpeg_compress_row(JBLOCKROW blocks, JDIMENSION count, unsigned char *out) {
    unsigned char *cursor = out + (size_t)count * sizeof(JCOEF);
    for (JDIMENSION index = 0; index < count; index++) {
        JCOEF *block = blocks[index];
        memcpy(out + (size_t)index * sizeof(JCOEF), &block[0], sizeof(JCOEF));
        // Zeroing the DC only after the vector loads: a 2-byte store under a 16-byte load stalls its forwarding.
        if (cjpeg_ac_is_zero(block)) {
            block[0] = 0;
            *cursor++ = 0;
            continue;
        }
        uint64_t mask = cjpeg_nonzero_mask(block) & ~(uint64_t)1;
        block[0] = 0;
        *cursor++ = (unsigned char)__builtin_popcountll(mask);
        memcpy(cursor, &mask, sizeof mask);
        cursor += sizeof mask;
        do {
            int position = __builtin_ctzll(mask);
            memcpy(cursor, &block[position], sizeof(JCOEF));
            cursor += sizeof(JCOEF);
            block[position] = 0;
            mask &= mask - 1;
        } while (mask != 0);
    }
    return (size_t)(cursor - out);
}

/// Writes a compressed row into `blocks`, which are all zeros.
static void cjpeg_decompress_row(const unsigned char *bytes, JDIMENSION count, JBLOCKROW blocks) {
    const unsigned char *cursor = bytes + (size_t)count * sizeof(JCOEF);
    for (JDIMENSION index = 0; index < count; index++) {
        JCOEF *block = blocks[index];
        memcpy(&block[0], bytes + (size_t)index * sizeof(JCOEF), sizeof(JCOEF));
        if (*cursor++ == 0) continue;
        uint64_t mask;
        memcpy(&mask, cursor, sizeof mask);
        cursor += sizeof mask;
        do {
            memcpy(&block[__builtin_ctzll(mask)], cursor, sizeof(JCOEF));
            cursor += sizeof(JCOEF);
            mask &= mask - 1;
        } while (mask != 0);
    }
}

/// Compresses the row in `slot` back into its stored form and empties the slot.
static void cjpeg_evict(j_common_ptr info, struct jvirt_barray_control *array, JDIMENSION slot) {
    struct cjpeg_sparse_store *store = cjpeg_store_of(info);
    JDIMENSION row = array->slot_rows[slot];
    size_t size = cjpeg_compress_row(array->slots + (size_t)slot * array->blocks_per_row, array->blocks_per_row,
                                     array->scratch);
    array->slot_rows[slot] = cjpeg_no_row;
    struct cjpeg_stored_row *stored = &array->stored[row];
    if (size > stored->capacity) {
        // Rows only grow as scans add coefficients; a quarter of slack keeps reallocations to a few per row.
        size_t capacity = size + size / 4;
        cjpeg_store_reserve(info, store, capacity - stored->capacity);
        unsigned char *bytes = realloc(stored->bytes, capacity);
        if (bytes == NULL) ERREXIT1(info, JERR_OUT_OF_MEMORY, 91);
        stored->bytes = bytes;
        stored->capacity = capacity;
    }
    memcpy(stored->bytes, array->scratch, size);
    stored->size = size;
}

static void cjpeg_free_array(struct jvirt_barray_control *array) {
    if (array->stored != NULL) {
        for (JDIMENSION row = 0; row < array->rows; row++) free(array->stored[row].bytes);
    }
    free(array->stored);
    free(array->slots);
    free(array->slot_rows);
    free(array->slot_uses);
    free(array->pointers);
    free(array->scratch);
    free(array);
}

static jvirt_barray_ptr cjpeg_request_virt_barray(j_common_ptr info, int pool_id, boolean pre_zero,
                                                  JDIMENSION blocks_per_row, JDIMENSION rows,
                                                  JDIMENSION window_rows) {
    (void)pre_zero;  // our rows always start as zeros
    struct cjpeg_sparse_store *store = cjpeg_store_of(info);
    if (pool_id != JPOOL_IMAGE) ERREXIT1(info, JERR_BAD_POOL_ID, pool_id);
    if (window_rows > rows) window_rows = rows;
    if (blocks_per_row == 0 || rows == 0) ERREXIT(info, JERR_WIDTH_OVERFLOW);
    cjpeg_store_reserve(info, store, cjpeg_fixed_bytes(blocks_per_row, rows, window_rows));
    struct jvirt_barray_control *array = calloc(1, sizeof *array);
    if (array == NULL) ERREXIT1(info, JERR_OUT_OF_MEMORY, 92);
    array->blocks_per_row = blocks_per_row;
    array->rows = rows;
    array->window_rows = window_rows;
    // Linked before the other allocations so that a failure below still frees what was allocated.
    array->next = store->arrays;
    store->arrays = array;
    array->stored = calloc(rows, sizeof *array->stored);
    array->slots = calloc((size_t)window_rows * blocks_per_row, sizeof(JBLOCK));
    array->slot_rows = malloc(window_rows * sizeof *array->slot_rows);
    array->slot_uses = calloc(window_rows, sizeof *array->slot_uses);
    array->pointers = malloc(window_rows * sizeof *array->pointers);
    array->scratch = malloc((size_t)blocks_per_row * CJPEG_MAXIMUM_BLOCK_BYTES);
    if (array->stored == NULL || array->slots == NULL || array->slot_rows == NULL || array->slot_uses == NULL ||
        array->pointers == NULL || array->scratch == NULL) {
        ERREXIT1(info, JERR_OUT_OF_MEMORY, 93);
    }
    for (JDIMENSION slot = 0; slot < window_rows; slot++) array->slot_rows[slot] = cjpeg_no_row;
    return array;
}

/// The slot for a row this access asks for that no slot holds: the most recently used slot this access does
/// not use, else a free one (there is one: an access asks for at most `window_rows` rows).
static JDIMENSION cjpeg_victim_slot(const struct jvirt_barray_control *array) {
    JDIMENSION best = cjpeg_no_row;
    for (JDIMENSION slot = 0; slot < array->window_rows; slot++) {
        if (array->slot_uses[slot] == array->clock) continue;
        if (array->slot_rows[slot] == cjpeg_no_row) {
            if (best == cjpeg_no_row) best = slot;
        } else if (best == cjpeg_no_row || array->slot_rows[best] == cjpeg_no_row ||
                   array->slot_uses[slot] > array->slot_uses[best]) {
            best = slot;
        }
    }
    return best;
}

static JBLOCKARRAY cjpeg_access_virt_barray(j_common_ptr info, jvirt_barray_ptr array, JDIMENSION start_row,
                                            JDIMENSION row_count, boolean writable) {
    if (row_count > array->window_rows || start_row > array->rows || row_count > array->rows - start_row) {
        ERREXIT(info, JERR_BAD_VIRTUAL_ACCESS);
    }
    // The output pass (the only one that reads without writing) gets the whole window from `start_row`:
    // libjpeg-turbo 2.1's block smoothing, on the second iMCU row, reads one iMCU row past the rows it asks
    // for (the line that counted the prior row was lost; restored upstream in commit 9b704f96, 3.0.1). Its
    // own arrays are whole in memory, so the read works there; it must here too. The window (five iMCU rows)
    // covers it: that access asks for at most three. Every eviction recompresses whatever `writable` says
    // (see the top of the file), so the flag only chooses how many rows to hold.
    if (!writable) row_count = array->rows - start_row < array->window_rows ? array->rows - start_row : array->window_rows;
    array->clock++;
    // First the rows a slot already holds, so that no victim below is one of them.
    for (JDIMENSION index = 0; index < row_count; index++) array->pointers[index] = NULL;
    for (JDIMENSION slot = 0; slot < array->window_rows; slot++) {
        JDIMENSION row = array->slot_rows[slot];
        if (row != cjpeg_no_row && row >= start_row && row - start_row < row_count) {
            array->pointers[row - start_row] = array->slots + (size_t)slot * array->blocks_per_row;
            array->slot_uses[slot] = array->clock;
        }
    }
    for (JDIMENSION index = 0; index < row_count; index++) {
        if (array->pointers[index] != NULL) continue;
        JDIMENSION row = start_row + index, slot = cjpeg_victim_slot(array);
        if (slot == cjpeg_no_row) ERREXIT(info, JERR_BAD_VIRTUAL_ACCESS);  // cannot happen: row_count ≤ slots
        JBLOCKROW blocks = array->slots + (size_t)slot * array->blocks_per_row;
        if (array->slot_rows[slot] != cjpeg_no_row) cjpeg_evict(info, array, slot);
        if (array->stored[row].size > 0) cjpeg_decompress_row(array->stored[row].bytes, array->blocks_per_row, blocks);
        array->slot_rows[slot] = row;
        array->slot_uses[slot] = array->clock;
        array->pointers[index] = blocks;
    }
    return array->pointers;
}

/// Frees every array the store holds.
static void cjpeg_release(struct cjpeg_sparse_store *store) {
    while (store->arrays != NULL) {
        struct jvirt_barray_control *array = store->arrays;
        store->arrays = array->next;
        cjpeg_free_array(array);
    }
    store->bytes = 0;
}

static void cjpeg_free_pool(j_common_ptr info, int pool_id) {
    struct cjpeg_sparse_store *store = cjpeg_store_of(info);
    // Our arrays all live in the image pool, which jpeg_finish_decompress and jpeg_abort free.
    if (pool_id == JPOOL_IMAGE) cjpeg_release(store);
    store->original.free_pool(info, pool_id);
}

static void cjpeg_self_destruct(j_common_ptr info) {
    struct cjpeg_sparse_store *store = cjpeg_store_of(info);
    cjpeg_release(store);
    store->original.self_destruct(info);
}

void cjpeg_sparse_store_install(j_decompress_ptr info, struct cjpeg_sparse_store *store) {
    store->original = *info->mem;
    info->client_data = store;
    info->mem->request_virt_barray = cjpeg_request_virt_barray;
    info->mem->access_virt_barray = cjpeg_access_virt_barray;
    info->mem->free_pool = cjpeg_free_pool;
    info->mem->self_destruct = cjpeg_self_destruct;
}
