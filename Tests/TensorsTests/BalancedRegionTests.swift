import Foundation
import Synchronization
import Testing
@testable import Tensors

/// ``ThreadPool/runBalanced(_:)`` and the speeds it learns from (``ThreadSpeeds``).
@Suite struct BalancedRegionTests {
    final class UnitLog: Sendable {
        let runs = Mutex([(units: Range<Int>, part: Int)]())
    }

    struct LogUnits: BalancedParallelWork {
        let units: Int
        let log: UnitLog
        func run(units: Range<Int>, part: Int) { log.runs.withLock { $0.append((units, part)) } }
    }

    @Test(arguments: [1, 2, 3, 4])
    func everyUnitRunsExactlyOnce(threads: Int) {
        let pool = ThreadPool(threadCount: threads)
        for units in [1, 2, 3, 5, 48, 197] {
            for _ in 0..<20 {
                let log = UnitLog()
                pool.runBalanced(LogUnits(units: units, log: log))
                let runs = log.runs.withLock { $0 }
                #expect(runs.flatMap { Array($0.units) }.sorted() == Array(0..<units))
                #expect(runs.allSatisfy { !$0.units.isEmpty && $0.part < threads })
                #expect(Set(runs.map(\.part)).count == runs.count, "a part ran twice")
            }
        }
        let shares = pool.balancedShares ?? []
        #expect(shares.count == threads && abs(shares.reduce(0, +) - 1) < 1e-9)
    }

    @Test func aNestedRegionRunsWhole() {
        let pool = ThreadPool(threadCount: 2)
        let log = UnitLog()
        let sharesInside = Mutex<[Double]?>([])
        pool.run { part in
            if part == 0 {
                pool.runBalanced(LogUnits(units: 10, log: log))
                sharesInside.withLock { $0 = pool.balancedShares }
            }
        }
        #expect(log.runs.withLock { $0.map(\.units) } == [0..<10])
        #expect(sharesInside.withLock { $0 } == nil, "the shares are not readable while a region runs")
        #expect(pool.balancedShares == [0.5, 0.5])
    }

    /// Simulated regions with exact finish times: the shares move a quarter of the way toward
    /// the measured rates, skip regions too short to mean anything, never starve a thread, and
    /// leave a thread that had no units where it was.
    @Test func sharesMoveTowardTheMeasuredRates() {
        let speeds = ThreadSpeeds(threadCount: 2, isLearning: true)
        let start: UInt64 = 1_000_000
        speeds.divide(100)
        #expect(speeds.units(of: 0) == 0..<50 && speeds.units(of: 1) == 50..<100)
        // Part 0 finishes its 50 units in 100 µs, part 1 in 300 µs: rates 3 : 1.
        speeds.finishTimes[0] = start + 100_000
        speeds.finishTimes[1] = start + 300_000
        speeds.learn(regionStart: start)
        #expect(abs(speeds.currentShares[0] - (0.5 + 0.25 * (0.75 - 0.5))) < 1e-12)
        // A region shorter than the minimum changes nothing.
        let before = speeds.currentShares
        speeds.finishTimes[0] = start + 10_000
        speeds.finishTimes[1] = start + 50_000
        speeds.learn(regionStart: start)
        #expect(speeds.currentShares == before)
        // However slow a thread is, it keeps a quarter of an equal share.
        for _ in 0..<200 {
            speeds.divide(1000)
            speeds.finishTimes[0] = start + 100_000
            speeds.finishTimes[1] = start + 100_000_000
            speeds.learn(regionStart: start)
        }
        #expect(abs(speeds.currentShares[1] - 0.125) < 1e-3)
        #expect(abs(speeds.currentShares.reduce(0, +) - 1) < 1e-12)
        // With 3 units over 3 threads of unequal shares, a thread may get none; it keeps its share.
        let three = ThreadSpeeds(threadCount: 3, isLearning: true)
        three.divide(1)
        let empty = (0..<3).filter { three.units(of: $0).isEmpty }
        #expect(empty.count == 2)
        for part in 0..<3 { three.finishTimes[part] = start + 200_000 }
        three.learn(regionStart: start)
        #expect(three.currentShares.allSatisfy { abs($0 - 1.0 / 3) < 1e-12 })
    }

    /// Parts below the minimum go to a neighbour; every part that runs has at least the minimum.
    @Test func smallPartsAreMergedIntoTheirNeighbours() {
        for threads in 2...4 {
            let speeds = ThreadSpeeds(threadCount: threads, isLearning: true)
            let start: UInt64 = 1_000_000
            // Skew the shares: thread t is t + 1 times slower than thread 0.
            for _ in 0..<50 {
                speeds.divide(1000)
                for part in 0..<threads {
                    speeds.finishTimes[part] = start + UInt64(speeds.units(of: part).count * 1000 * (part + 1))
                }
                speeds.learn(regionStart: start)
            }
            for units in [1, 2, 5, 9, 17, 48, 100] {
                for minimum in [1, 2, 3, 7, 20, 200] {
                    speeds.divide(units, minimumPerPart: minimum)
                    let ranges = (0..<threads).map { speeds.units(of: $0) }
                    #expect(ranges.flatMap { Array($0) } == Array(0..<units))
                    let running = ranges.filter { !$0.isEmpty }
                    #expect(running.allSatisfy { $0.count >= minimum } || running.count == 1,
                            "\(threads) threads, \(units) units, minimum \(minimum): \(ranges)")
                }
            }
        }
    }

    /// Learning the speeds never changes a result: our GEMM split at any ratio, on any number of
    /// threads, is bit-identical to the same GEMM on one thread (every element is one accumulator
    /// summing k in order, whoever computes it). Shapes include thin slices and edge panels.
    @Test(arguments: VectorInstructionSet.supported.filter(\.hasOwnGEMM))
    func everySplitRatioGivesBitIdenticalProducts(instructionSet: VectorInstructionSet) {
        let pool = ThreadPool(threadCount: 2)
        for (m, n, k) in [(197, 768, 768), (64, 768, 768), (1, 3072, 768), (3, 1000, 768), (16, 3072, 768),
                          (197, 192, 192), (50, 384, 384), (24, 1024, 512), (8, 2304, 768), (197, 768, 3072)] {
            let a = Tensor.random([m, k], seed: UInt64(m * n)), w = Tensor.random([n, k], seed: UInt64(n * k))
            let weights = PackedMatrix(weight: w.matrix, instructionSet: instructionSet)
            let scratch = Tensor(zeros: [max(1, MatrixMultiply.scratchCount(m: m, n: n, k: k, instructionSet: instructionSet))])
            let whole = Tensor(zeros: [m, n])
            MatrixMultiply.multiply(a.matrix, weights.panels, into: whole.mutableMatrix, scratch: scratch.mutablePointer)
            for first in stride(from: 0.02, through: 0.98, by: 0.04) {
                let split = Tensor(zeros: [m, n])
                pool.speeds.shares[0] = first
                pool.speeds.shares[1] = 1 - first
                MatrixMultiply.multiply(a.matrix, weights.panels, into: split.mutableMatrix,
                                        scratch: scratch.mutablePointer, pool: pool)
                #expect(split.scalars.map(\.bitPattern) == whole.scalars.map(\.bitPattern),
                        "\(instructionSet) \(m)×\(n)×\(k), split at \(first)")
            }
        }
    }

    /// A row's product does not depend on the rows around it (the batch), nor on the instruction
    /// set: AVX2's 6 × 16 tiles and AVX-512's 12 × 32 tiles give the same bits.
    @Test func batchAndInstructionSetDoNotChangeAnElement() {
        let sets = VectorInstructionSet.supported.filter(\.hasOwnGEMM)
        guard let first = sets.first else { return }
        let pool = ThreadPool(threadCount: 3)
        for (m, n, k) in [(1576, 768, 768), (197, 3072, 768), (37, 1000, 3072)] {
            let a = Tensor.random([m, k], seed: UInt64(k)), w = Tensor.random([n, k], seed: UInt64(n))
            var results: [[UInt32]] = []
            for instructionSet in sets {
                let weights = PackedMatrix(weight: w.matrix, instructionSet: instructionSet, pool: pool)
                let scratch = Tensor(zeros: [max(1, MatrixMultiply.scratchCount(m: m, n: n, k: k,
                                                                                  instructionSet: instructionSet))])
                let all = Tensor(zeros: [m, n])
                MatrixMultiply.multiply(a.matrix, weights.panels, into: all.mutableMatrix,
                                        scratch: scratch.mutablePointer, pool: pool)
                results.append(all.scalars.map(\.bitPattern))
                // Rows 5 ..< 10 on their own give the rows they gave inside the whole batch.
                let some = Tensor(zeros: [5, n])
                MatrixMultiply.multiply(MatrixView(a.pointer + 5 * k, rows: 5, columns: k), weights.panels,
                                        into: some.mutableMatrix, scratch: scratch.mutablePointer)
                #expect(some.scalars.map(\.bitPattern) == Array(results.last![(5 * n)..<(10 * n)]),
                        "\(instructionSet) \(m)×\(n)×\(k): rows differ outside their batch")
            }
            #expect(results.allSatisfy { $0 == results[0] }, "\(sets) differ from \(first) at \(m)×\(n)×\(k)")
        }
    }

    /// Part 0 does nothing; part 1 sleeps half a millisecond per unit. (Sleeping rather than
    /// spinning keeps the difference clear even when other tests load the cores.)
    struct SlowSecondThread: BalancedParallelWork {
        let units = 64
        func run(units: Range<Int>, part: Int) {
            if part == 1 { usleep(UInt32(units.count * 500)) }
        }
    }

    /// On real threads: the pool times its parts and gives the slow thread less work.
    @Test func aSlowThreadGetsLessWork() {
        let pool = ThreadPool(threadCount: 2)
        for _ in 0..<40 { pool.runBalanced(SlowSecondThread()) }
        // It converges to part 1's floor (0.125); the bound leaves room for a loaded machine.
        #expect(pool.balancedShares?[0] ?? 0 > 0.6)
    }
}
