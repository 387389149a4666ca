/// A read-only row-major matrix in memory: `rows × columns` elements, rows `leadingDimension`
/// elements apart. Cheap to make (no allocation), so a head's slice of a fused QKV buffer or the
/// CLS rows of a batch can be passed to GEMM in place.
public struct MatrixView {
    /// The first element.
    public var base: UnsafePointer<Float>
    /// The number of rows.
    public var rows: Int
    /// The number of columns.
    public var columns: Int
    /// The distance in elements between the starts of consecutive rows (≥ `columns`).
    public var leadingDimension: Int

    /// A view of `rows × columns` elements at `base`, rows `leadingDimension` apart (default:
    /// packed rows).
    public init(_ base: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int? = nil) {
        self.base = base
        self.rows = rows
        self.columns = columns
        self.leadingDimension = leadingDimension ?? max(1, columns)
        precondition(rows >= 0 && columns >= 0 && self.leadingDimension >= max(1, columns),
                     "invalid matrix view \(rows)×\(columns), leading dimension \(self.leadingDimension)")
    }
}

/// A writable row-major matrix in memory; see ``MatrixView``.
public struct MutableMatrixView {
    /// The first element.
    public var base: UnsafeMutablePointer<Float>
    /// The number of rows.
    public var rows: Int
    /// The number of columns.
    public var columns: Int
    /// The distance in elements between the starts of consecutive rows (≥ `columns`).
    public var leadingDimension: Int

    /// A view of `rows × columns` elements at `base`, rows `leadingDimension` apart (default:
    /// packed rows).
    public init(_ base: UnsafeMutablePointer<Float>, rows: Int, columns: Int, leadingDimension: Int? = nil) {
        self.base = base
        self.rows = rows
        self.columns = columns
        self.leadingDimension = leadingDimension ?? max(1, columns)
        precondition(rows >= 0 && columns >= 0 && self.leadingDimension >= max(1, columns),
                     "invalid matrix view \(rows)×\(columns), leading dimension \(self.leadingDimension)")
    }

    /// The same memory, read-only.
    public var readOnly: MatrixView {
        MatrixView(UnsafePointer(base), rows: rows, columns: columns, leadingDimension: leadingDimension)
    }
}

extension Tensor {
    /// This tensor as a matrix: the last dimension is the columns, all others are flattened into
    /// rows. A rank-1 tensor is one row.
    public var matrix: MatrixView {
        MatrixView(pointer, rows: shape.dropLast().reduce(1, *), columns: shape.last ?? 1)
    }

    /// This tensor as a writable matrix; see ``matrix``.
    public var mutableMatrix: MutableMatrixView {
        MutableMatrixView(mutablePointer, rows: shape.dropLast().reduce(1, *), columns: shape.last ?? 1)
    }
}
