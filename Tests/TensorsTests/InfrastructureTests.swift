import Synchronization
import Testing
import Tensors

@Suite struct ThreadPoolTests {
    @Test func chunksCoverTheRangeExactlyOnce() {
        for count in [0, 1, 2, 3, 7, 197, 1000] {
            for parts in 1...5 {
                let ranges = (0..<parts).map { ThreadPool.chunk($0, of: parts, splitting: count) }
                #expect(ranges.flatMap { Array($0) } == Array(0..<count))
                #expect(ranges.map(\.count).max()! - ranges.map(\.count).min()! <= 1)
            }
        }
    }

    @Test func runCallsEveryPartOnceAndParallelForCoversEveryIndex() {
        let pool = ThreadPool(threadCount: 3)
        for _ in 0..<200 {
            let calls = Mutex([Int]())
            pool.run { part in calls.withLock { $0.append(part) } }
            #expect(calls.withLock { $0.sorted() } == [0, 1, 2])
        }
        let hits = Mutex([Int](repeating: 0, count: 1001))
        pool.parallelFor(1001, minimumChunk: 10) { range in
            for index in range { hits.withLock { $0[index] += 1 } }
        }
        #expect(hits.withLock { $0 } == [Int](repeating: 1, count: 1001))
    }

    /// The allocation-free entry points (value-type work handed over by pointer).
    @Test func parallelWorkValuesRunEveryPartAndIndex() {
        final class Hits: Sendable {
            let counts = Mutex([Int](repeating: 0, count: 1001))
        }
        struct MarkParts: ParallelWork {
            let hits: Hits
            func run(part: Int, of parts: Int) { hits.counts.withLock { $0[part] += parts } }
        }
        struct MarkRange: ParallelRangeWork {
            let hits: Hits
            func run(_ range: Range<Int>) { hits.counts.withLock { for index in range { $0[index] += 1 } } }
        }
        let pool = ThreadPool(threadCount: 2)
        let parts = Hits()
        for _ in 0..<100 { pool.run(MarkParts(hits: parts)) }
        #expect(parts.counts.withLock { Array($0.prefix(3)) } == [200, 200, 0])
        let indices = Hits()
        pool.parallelFor(1001, minimumChunk: 7, MarkRange(hits: indices))
        #expect(indices.counts.withLock { $0 } == [Int](repeating: 1, count: 1001))
    }

    @Test func nestedAndConcurrentRegionsStillRunEveryPart() async {
        final class Counter: Sendable { let value = Atomic<Int>(0) }
        let pool = ThreadPool(threadCount: 2)
        let total = Counter()
        pool.run { _ in
            pool.run { _ in total.value.add(1, ordering: .relaxed) }
        }
        #expect(total.value.load(ordering: .relaxed) == 4)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<50 { pool.run { _ in total.value.add(1, ordering: .relaxed) } } }
            }
        }
        #expect(total.value.load(ordering: .relaxed) == 4 + 8 * 50 * 2)
    }
}

