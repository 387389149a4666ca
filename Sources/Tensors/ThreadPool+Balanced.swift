import Dispatch

/// Work made of `units` equal pieces (16-column blocks of a GEMM, attention heads) that a
/// ``ThreadPool`` hands out to its threads in proportion to their measured speed.
public protocol BalancedParallelWork {
    /// How many equal pieces the work divides into.
    var units: Int { get }
    /// The fewest units worth giving a thread; a thread's share below this goes to another
    /// thread instead. 1 unless the work says otherwise.
    var minimumUnitsPerPart: Int { get }
    /// Runs the pieces in `units` (contiguous, possibly empty) as part `part` of the region.
    func run(units: Range<Int>, part: Int)
}

extension BalancedParallelWork {
    /// Any single unit is worth a thread.
    public var minimumUnitsPerPart: Int { 1 }
}

extension ThreadPool {
    /// Runs `work` split across the pool's threads in proportion to how fast each has been
    /// running such regions (see ``ThreadSpeeds``), and learns from how long each part took.
    /// If the pool is busy, runs all of `work` on the calling thread as one part. Allocates
    /// nothing.
    public func runBalanced<Work: BalancedParallelWork>(_ work: Work) {
        let units = work.units
        guard units > 0 else { return }
        guard threadCount > 1, acquire() else {
            work.run(units: 0..<units, part: 0)
            return
        }
        speeds.divide(units, minimumPerPart: work.minimumUnitsPerPart)
        let start = DispatchTime.now().uptimeNanoseconds
        dispatch(BalancedRegion(work: work, speeds: speeds))
        speeds.learn(regionStart: start)
        release()
    }

    /// Whether balanced regions are split by measured speed (the default) or equally.
    public var splitsBySpeed: Bool { speeds.isLearning }

    /// Each thread's current share of balanced work (they sum to 1), for reports; nil while a
    /// region is running (the shares are being updated).
    public var balancedShares: [Double]? {
        guard acquire() else { return nil }
        defer { release() }
        return speeds.currentShares
    }
}

/// One balanced region as the pool's plain parallel work: part `i` runs its units, then notes
/// when it finished.
private struct BalancedRegion<Work: BalancedParallelWork>: ParallelWork {
    let work: Work
    let speeds: ThreadSpeeds

    func run(part: Int, of parts: Int) {
        let range = speeds.units(of: part)
        if !range.isEmpty { work.run(units: range, part: part) }
        speeds.finish(part)
    }
}
