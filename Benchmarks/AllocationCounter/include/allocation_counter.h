// Counts heap allocations for vit-bench's zero-allocation check.
//
// Linked into vit-bench, allocation_counter.c defines malloc, calloc, realloc and the aligned
// allocators. On Linux with glibc an executable's definitions of these interpose on every shared
// library's calls (ELF symbol interposition, the documented way of replacing glibc's malloc), so
// the counter sees the Swift runtime, OpenBLAS and our own code alike; each definition counts, then
// forwards to glibc's own allocator (__libc_malloc and friends). Elsewhere nothing is replaced and
// allocation_counter_is_available() is 0.
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

/// 1 when the allocation functions of this process are the counting ones.
int allocation_counter_is_available(void);
/// Resets the count to zero and starts counting (on every thread).
void allocation_counter_start(void);
/// Stops counting and returns the number of allocations since allocation_counter_start().
long allocation_counter_stop(void);

#endif
