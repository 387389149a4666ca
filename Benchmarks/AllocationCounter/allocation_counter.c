#include "allocation_counter.h"

// Any C library header; glibc's define __GLIBC__.
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

#if defined(__linux__) && defined(__GLIBC__)

// glibc's allocator under its internal names, which stay reachable when malloc is replaced.
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

// `retain` keeps the replacements through the linker's --gc-sections: nothing in vit-bench's own objects
// calls them by name, only the shared libraries do.
#define REPLACEMENT __attribute__((used, retain, visibility("default")))

static atomic_int counting;
static atomic_long allocations;

static inline void count_one(void) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    }
}

REPLACEMENT void *malloc(size_t size) { count_one(); return __libc_malloc(size); }
REPLACEMENT void *calloc(size_t count, size_t size) { count_one(); return __libc_calloc(count, size); }
REPLACEMENT void *realloc(void *pointer, size_t size) { count_one(); return __libc_realloc(pointer, size); }
REPLACEMENT void free(void *pointer) { __libc_free(pointer); }
REPLACEMENT void *memalign(size_t alignment, size_t size) { count_one(); return __libc_memalign(alignment, size); }
REPLACEMENT void *aligned_alloc(size_t alignment, size_t size) { count_one(); return __libc_memalign(alignment, size); }
REPLACEMENT void *valloc(size_t size) { count_one(); return __libc_valloc(size); }
REPLACEMENT void *pvalloc(size_t size) { count_one(); return __libc_pvalloc(size); }

REPLACEMENT int posix_memalign(void **result, size_t alignment, size_t size) {
    count_one();
    // posix_memalign's contract: a power of two that is a multiple of sizeof(void *).
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL && size != 0) return ENOMEM;
    *result = pointer;
    return 0;
}

int allocation_counter_is_available(void) { return 1; }

void allocation_counter_start(void) {
    atomic_store(&allocations, 0);
    atomic_store(&counting, 1);
}

long allocation_counter_stop(void) {
    atomic_store(&counting, 0);
    return atomic_load(&allocations);
}

#else

int allocation_counter_is_available(void) { return 0; }
void allocation_counter_start(void) {}
long allocation_counter_stop(void) { return 0; }

#endif
