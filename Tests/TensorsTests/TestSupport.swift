import Testing
import Tensors
import TestSupport

extension Tensor {
    /// A tensor of the given shape filled with uniform random values.
    static func random(_ shape: [Int], in range: ClosedRange<Float> = -1...1, seed: UInt64) -> Tensor {
        var random = SeededRandom(seed: seed)
        return Tensor(shape: shape, values: random.floats(Tensor.elementCount(of: shape), in: range))
    }
}

/// The largest |a − b| over two equal-length sequences; NaN if any pair disagrees on NaN-ness.
func maxAbsoluteDifference(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    var worst = 0.0
    for (x, y) in zip(a, b) {
        if x.isNaN != y.isNaN { return .nan }
        if x.isNaN { continue }
        if x.isInfinite || y.isInfinite {
            if Double(x) != y { return .infinity }
            continue
        }
        worst = max(worst, abs(Double(x) - y))
    }
    return worst
}

/// Whether `actual` matches `expected` element-wise within `absolute + relative·|expected|`,
/// with NaN matching NaN and infinities matching exactly.
func allClose(_ actual: [Float], _ expected: [Double], absolute: Double, relative: Double = 0) -> Bool {
    guard actual.count == expected.count else { return false }
    for (x, y) in zip(actual, expected) {
        if y.isNaN { if !x.isNaN { return false } else { continue } }
        if y.isInfinite { if Double(x) != y { return false } else { continue } }
        if x.isNaN || abs(Double(x) - y) > absolute + relative * abs(y) { return false }
    }
    return true
}
