import AllocationCounter

/// Counts heap allocations (every `malloc`, `calloc`, `realloc`, `posix_memalign`… on any thread)
/// while `body` runs, through the counting allocator linked into vit-bench (Benchmarks/AllocationCounter).
///
/// A deliberate allocation first checks that the counter really sees allocations; the count is
/// `nil` when it does not (on platforms other than Linux with glibc).
enum AllocationCheck {
    static func count(_ body: () -> Void) -> Int? {
        guard allocation_counter_is_available() == 1 else { return nil }
        allocation_counter_start()
        let probe = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
        let seen = allocation_counter_stop()
        probe.deallocate()
        guard seen > 0 else { return nil }
        allocation_counter_start()
        body()
        return allocation_counter_stop()
    }
}
