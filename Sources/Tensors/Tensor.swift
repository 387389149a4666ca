/// A dense, row-major Float32 tensor: a shape, and a view of a ``TensorStorage``.
///
/// `Tensor` has **reference semantics for its elements**, like a PyTorch tensor: reshaping and
/// slicing return views of the same storage, and writing through one view is visible through the
/// others. Copies are never made behind your back; ``copy()`` is the only way to get separate
/// memory.
public struct Tensor: Sendable {
    /// The extent of each dimension, outermost first.
    public let shape: [Int]
    /// The storage the elements live in.
    public let storage: TensorStorage
    /// The index of the first element within `storage`, in elements.
    public let elementOffset: Int

    /// The number of elements (the product of `shape`; 1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// A zero-filled tensor of the given shape.
    public init(zeros shape: [Int]) {
        let count = Tensor.elementCount(of: shape)
        self.init(shape: shape, storage: TensorStorage(byteCount: count * MemoryLayout<Float>.stride),
                  elementOffset: 0)
    }

    /// A tensor holding a copy of `values`, with the given shape.
    public init(shape: [Int], values: [Float]) {
        precondition(Tensor.elementCount(of: shape) == values.count,
                     "shape \(shape) holds \(Tensor.elementCount(of: shape)) elements, not \(values.count)")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { source in
            mutablePointer.update(from: source.baseAddress!, count: source.count)
        }
    }

    /// A view of `storage` starting at `elementOffset`, with the given shape.
    ///
    /// - Precondition: the view lies inside the storage.
    public init(shape: [Int], storage: TensorStorage, elementOffset: Int = 0) {
        let count = Tensor.elementCount(of: shape)
        precondition(elementOffset >= 0
                     && (elementOffset + count) * MemoryLayout<Float>.stride <= storage.byteCount,
                     "tensor view \(shape) at offset \(elementOffset) exceeds its storage")
        self.shape = shape
        self.storage = storage
        self.elementOffset = elementOffset
    }

    /// The product of the dimensions, checked for negative extents and overflow.
    public static func elementCount(of shape: [Int]) -> Int {
        var count = 1
        for extent in shape {
            precondition(extent >= 0, "negative extent in shape \(shape)")
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            precondition(!overflow, "element count of shape \(shape) overflows")
            count = product
        }
        return count
    }

    /// A pointer to the first element, for reading.
    public var pointer: UnsafePointer<Float> { UnsafePointer(mutablePointer) }

    /// A pointer to the first element, for writing. Writes are visible through every view of the
    /// same storage.
    public var mutablePointer: UnsafeMutablePointer<Float> {
        storage.baseAddress.assumingMemoryBound(to: Float.self) + elementOffset
    }

    /// The elements, as a buffer for reading.
    public var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: pointer, count: count) }

    /// The elements, as a buffer for writing.
    public var mutableBuffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: mutablePointer, count: count)
    }

    /// A view of the same elements with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(Tensor.elementCount(of: newShape) == count,
                     "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return Tensor(shape: newShape, storage: storage, elementOffset: elementOffset)
    }

    /// A view of rows `range` along the first dimension.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1, "a scalar has no rows")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows \(range) out of 0..<\(shape[0])")
        let rowCount = shape.dropFirst().reduce(1, *)
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, storage: storage,
                      elementOffset: elementOffset + range.lowerBound * rowCount)
    }

    /// The `index`-th entry along the first dimension, as a view with one dimension fewer.
    public subscript(index: Int) -> Tensor {
        rows(index..<(index + 1)).reshaped(Array(shape.dropFirst()))
    }

    /// A new tensor with its own storage holding the same values. The only way to copy.
    public func copy() -> Tensor {
        let result = Tensor(zeros: shape)
        result.mutablePointer.update(from: pointer, count: count)
        return result
    }

    /// The elements as a Swift array (a copy).
    public var scalars: [Float] { Array(buffer) }
}
