import CKernels

/// The left operand `A` (M × K) of a bfloat16 product, already in the layout the kernels read: rows
/// in strips as high as a tile, each row's k in bfloat16 pairs, a strip's rows interleaved (see
/// `ck_gemm.h`). Written by the step that produces the rows — LayerNorm, or the epilogue of the
/// product before — so the product that reads them packs nothing, and the rows never exist in
/// Float32 memory. A view: it does not own the memory.
///
/// Its words are exactly what packing the Float32 rows would give, so a product over them has the
/// same bits as one over the rows themselves.
public struct PackedRows {
    /// The first word.
    public let base: UnsafeMutablePointer<UInt32>
    /// M: the rows.
    public let rows: Int
    /// K: the values of a row.
    public let columns: Int
    /// The kernels the layout is for (their strip height).
    public let instructionSet: VectorInstructionSet

    /// Packed rows at `base` (``wordCount(rows:columns:instructionSet:)`` words) for
    /// `instructionSet`'s kernels (AVX2 or AVX-512).
    public init(_ base: UnsafeMutablePointer<UInt32>, rows: Int, columns: Int, instructionSet: VectorInstructionSet) {
        precondition(instructionSet.hasOwnGEMM, "packed rows are for our AVX2 and AVX-512 kernels")
        precondition(rows >= 0 && columns >= 0, "invalid packed rows \(rows)×\(columns)")
        self.base = base
        self.rows = rows
        self.columns = columns
        self.instructionSet = instructionSet
    }

    /// Rows per strip of `instructionSet`'s kernels.
    public static func stripHeight(_ instructionSet: VectorInstructionSet) -> Int {
        ck_gemm_strip_height(instructionSet == .avx512 ? CK_GEMM_AVX512 : CK_GEMM_AVX2)
    }

    /// Words that `rows × columns` packed rows take (whole strips).
    public static func wordCount(rows: Int, columns: Int, instructionSet: VectorInstructionSet) -> Int {
        let height = stripHeight(instructionSet)
        return (rows + height - 1) / height * height * ((columns + 1) / 2)
    }

    /// The number of strips.
    var strips: Int {
        let height = Self.stripHeight(instructionSet)
        return (rows + height - 1) / height
    }

    /// Where row `row`'s first word is; its next words follow a strip's height apart.
    func firstWord(ofRow row: Int) -> UnsafeMutablePointer<UInt32> {
        let height = Self.stripHeight(instructionSet)
        return base + (row / height) * height * ((columns + 1) / 2) + row % height
    }
}
