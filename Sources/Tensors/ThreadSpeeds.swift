import Dispatch
import Foundation

/// How fast each thread of a ``ThreadPool`` has been getting through work, learned from the
/// regions it ran, so the next region can give each thread a share it finishes in the same time.
///
/// Why: on a shared VM the cores are not equally fast. Profiling ViT-B/16 at batch 1 on the
/// 2-vCPU machine of Performance.md showed the worker thread spending 37 % of the samples in
/// OpenBLAS's kernel against the caller's 29 % for the same number of columns, and the caller
/// waiting for it for 11 % of the run. A fixed equal split always waits for the slower core;
/// splitting by measured speed does not, and keeps one GEMM call per thread (smaller tiles
/// handed out dynamically would repack the activations once per tile).
///
/// Not thread-safe on its own: only the holder of the pool reads or writes it.
final class ThreadSpeeds: @unchecked Sendable {
    let threadCount: Int
    /// Each thread's share of the next region's work; they sum to 1. (Internal rather than
    /// private so tests can split a region at any ratio.)
    let shares: UnsafeMutablePointer<Double>
    /// When each part of the running region finished (uptime nanoseconds).
    let finishTimes: UnsafeMutablePointer<UInt64>
    /// The units given to each part of the running region: part `i` has
    /// `boundaries[i] ..< boundaries[i + 1]`.
    let boundaries: UnsafeMutablePointer<Int>

    /// How far one region moves the shares toward what it measured: smooths out a single noisy
    /// region while following a change of core speed within a few dozen regions (a ViT-B/16
    /// pass runs about 80).
    static let smoothing = 0.25
    /// No thread's share drops below this fraction of an equal share, so every thread keeps
    /// being measured and can win work back when its core speeds up.
    static let minimumShareOfEqual = 0.25
    /// Regions shorter than this are dominated by waking the workers, not by core speed; they
    /// are not learned from.
    static let minimumRegionNanoseconds: UInt64 = 100_000

    /// False for a pool made to split every region equally (`vit-bench --thread-split equal`
    /// measures what the balancing gains).
    let isLearning: Bool

    init(threadCount: Int, isLearning: Bool) {
        self.threadCount = threadCount
        self.isLearning = isLearning
        shares = .allocate(capacity: threadCount)
        shares.initialize(repeating: 1 / Double(threadCount), count: threadCount)
        finishTimes = .allocate(capacity: threadCount)
        finishTimes.initialize(repeating: 0, count: threadCount)
        boundaries = .allocate(capacity: threadCount + 1)
        boundaries.initialize(repeating: 0, count: threadCount + 1)
    }

    deinit {
        shares.deallocate()
        finishTimes.deallocate()
        boundaries.deallocate()
    }

    /// The current shares (for reports).
    var currentShares: [Double] { (0..<threadCount).map { shares[$0] } }

    /// Splits `units` into contiguous ranges in proportion to the shares, then hands any part
    /// smaller than `minimum` (but not empty) to a neighbour, so every part that runs has at
    /// least `minimum` units (unless there are fewer units than that in all).
    func divide(_ units: Int, minimumPerPart minimum: Int = 1) {
        var cumulative = 0.0
        boundaries[0] = 0
        for part in 0..<threadCount {
            cumulative += shares[part]
            boundaries[part + 1] = part == threadCount - 1
                ? units : min(units, max(boundaries[part], Int((cumulative * Double(units)).rounded())))
        }
        guard minimum > 1 else { return }
        func isTooSmall(_ part: Int) -> Bool { (1..<minimum).contains(boundaries[part + 1] - boundaries[part]) }
        // A part too small gives its units to the next one...
        for part in 0..<(threadCount - 1) where isTooSmall(part) { boundaries[part + 1] = boundaries[part] }
        // ...and the last one, if too small, to the nearest non-empty part before it.
        if isTooSmall(threadCount - 1) {
            var receiver = threadCount - 2
            while receiver > 0 && boundaries[receiver] == boundaries[receiver + 1] { receiver -= 1 }
            for boundary in (receiver + 1)..<threadCount { boundaries[boundary] = units }
        }
    }

    /// The units of `part` in the region being run.
    func units(of part: Int) -> Range<Int> { boundaries[part]..<boundaries[part + 1] }

    /// Records that `part` has finished.
    func finish(_ part: Int) { finishTimes[part] = DispatchTime.now().uptimeNanoseconds }

    /// Moves the shares toward each thread's rate in the region that started at `start`.
    func learn(regionStart start: UInt64) {
        guard isLearning else { return }
        var longest: UInt64 = 0
        for part in 0..<threadCount { longest = max(longest, finishTimes[part] &- start) }
        guard longest >= Self.minimumRegionNanoseconds else { return }
        // Threads that had no units this time tell us nothing; they keep their share.
        func rate(_ part: Int) -> Double {
            Double(units(of: part).count) / Double(max(1, finishTimes[part] &- start))
        }
        var measuredShare = 0.0, totalRate = 0.0
        for part in 0..<threadCount where !units(of: part).isEmpty {
            measuredShare += shares[part]
            totalRate += rate(part)
        }
        guard totalRate > 0 else { return }
        var sum = 0.0
        for part in 0..<threadCount {
            if !units(of: part).isEmpty {
                let target = measuredShare * rate(part) / totalRate
                shares[part] += Self.smoothing * (target - shares[part])
            }
            sum += shares[part]
        }
        // Normalise; lift starved threads to the floor and take what that costs from the rest.
        let floor = Self.minimumShareOfEqual / Double(threadCount)
        var lifted = 0.0, unlifted = 0.0
        for part in 0..<threadCount {
            if shares[part] / sum < floor { lifted += floor } else { unlifted += shares[part] / sum }
        }
        for part in 0..<threadCount {
            let normalised = shares[part] / sum
            shares[part] = normalised < floor ? floor : normalised * (1 - lifted) / unlifted
        }
    }
}
