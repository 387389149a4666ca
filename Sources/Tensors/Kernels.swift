/// The element-wise and row-wise kernels of a transformer forward pass.
///
/// Every kernel works in place on ``MatrixView``s (no allocation), is vectorised with
/// ``FloatVector``, and splits its rows across a ``ThreadPool`` when the work is large enough to
/// pay for the wake-up. The tails of rows whose length is not a multiple of the vector width go
/// through the same vector code (padded), so every element gets bit-identical arithmetic
/// wherever it sits in a row.
public enum Kernels {
    /// Rows per parallel chunk such that a chunk has about `elementsPerChunk` elements of work.
    @inline(__always)
    static func minimumRows(columns: Int, elementsPerChunk: Int) -> Int {
        max(1, elementsPerChunk / max(1, columns))
    }
}

/// Loads `count` (< vector width) floats into the low lanes of a zeroed vector.
@inline(__always)
func loadPartial(_ source: UnsafePointer<Float>, count: Int) -> FloatVector {
    var vector = FloatVector()
    for lane in 0..<count { vector[lane] = source[lane] }
    return vector
}

/// Stores the low `count` (< vector width) lanes of `vector`.
@inline(__always)
func storePartial(_ vector: FloatVector, to destination: UnsafeMutablePointer<Float>, count: Int) {
    for lane in 0..<count { destination[lane] = vector[lane] }
}

@inline(__always)
func loadVector(_ source: UnsafePointer<Float>) -> FloatVector {
    UnsafeRawPointer(source).loadUnaligned(as: FloatVector.self)
}

@inline(__always)
func storeVector(_ vector: FloatVector, to destination: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(destination).storeBytes(of: vector, as: FloatVector.self)
}

/// Applies `transform` to `count` contiguous floats in place, a vector at a time; the tail goes
/// through the same code in a padded vector. `index` is the element offset of the vector, so a
/// transform can load matching vectors of other arrays (a bias row, say).
@inline(__always)
func transformInPlace(_ values: UnsafeMutablePointer<Float>, count: Int,
                      _ transform: (FloatVector, _ index: Int, _ lanes: Int) -> FloatVector) {
    let width = FloatVector.scalarCount
    var index = 0
    while index + width <= count {
        storeVector(transform(loadVector(values + index), index, width), to: values + index)
        index += width
    }
    if index < count {
        let lanes = count - index
        storePartial(transform(loadPartial(values + index, count: lanes), index, lanes),
                     to: values + index, count: lanes)
    }
}

/// Loads the vector at `index` of `values`, or its first `lanes` lanes (zero-padded) at a tail.
@inline(__always)
func loadLanes(_ values: UnsafePointer<Float>, at index: Int, lanes: Int) -> FloatVector {
    lanes == FloatVector.scalarCount ? loadVector(values + index) : loadPartial(values + index, count: lanes)
}
