import MallocInterposerSwift

/// Counts heap allocations (every `malloc`, `calloc`, `realloc`, `posix_memalign`… on any thread)
/// while `body` runs, through ordo-one's malloc interposer.
///
/// The interposer only sees allocations when its library is preloaded
/// (`LD_PRELOAD=.build/release/libMallocInterposerSwift.so`); a deliberate allocation first
/// checks that, and the count is `nil` when it is not active.
enum AllocationCheck {
    static func count(_ body: () -> Void) -> Int? {
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.hook()
        let probe = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
        MallocInterposerSwift.unhook()
        probe.deallocate()
        guard MallocInterposerSwift.getStatistics().mallocCount > 0 else { return nil }
        MallocInterposerSwift.reset()
        MallocInterposerSwift.hook()
        body()
        MallocInterposerSwift.unhook()
        return MallocInterposerSwift.getStatistics().mallocCount
    }
}
