import CKernels

/// The right-hand operand `B` (K × N) of `A·B` in the layout our GEMM kernels read: column panels
/// as wide as the kernel's tile, k-major within a panel (see `ck_gemm.h`). A view: it does not own
/// the memory (``PackedMatrix`` does, for weights; attention packs its keys and values into
/// scratch memory).
///
/// For ``VectorInstructionSet/baseline`` (GEMMs through OpenBLAS) the "packed" form is `Bᵀ` as a
/// plain row-major `N × K` matrix.
public struct PackedPanels {
    /// The packed floats.
    public let base: UnsafePointer<Float>
    /// K: the rows of `B`, the shared dimension.
    public let rows: Int
    /// N: the columns of `B`, the output columns.
    public let columns: Int
    /// The kernels the layout is for.
    public let instructionSet: VectorInstructionSet

    /// Columns per panel of `instructionSet`'s kernel (1 for OpenBLAS's plain layout).
    public static func panelWidth(_ instructionSet: VectorInstructionSet) -> Int {
        switch instructionSet {
        case .baseline: 1
        case .avx2: ck_gemm_panel_width(CK_GEMM_AVX2)
        case .avx512: ck_gemm_panel_width(CK_GEMM_AVX512)
        }
    }

    /// The number of panels.
    public var panelCount: Int {
        let width = Self.panelWidth(instructionSet)
        return (columns + width - 1) / width
    }

    /// Floats needed to pack a `rows × columns` B for `instructionSet`.
    public static func floatCount(rows: Int, columns: Int, instructionSet: VectorInstructionSet) -> Int {
        instructionSet == .baseline
            ? rows * columns
            : ck_packed_b_count(rows, columns, panelWidth(instructionSet))
    }

    /// Packs `b` into `destination` (``floatCount(rows:columns:instructionSet:)`` floats, 64-byte
    /// aligned). With `transposed`, `b` holds `Bᵀ` (`N × K`, e.g. PyTorch's `[out, in]` weights or
    /// attention's keys); otherwise `B` itself (`K × N`). `pool` packs panels in parallel.
    public static func pack(_ b: MatrixView, transposed: Bool, instructionSet: VectorInstructionSet,
                            into destination: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) -> PackedPanels {
        let rows = transposed ? b.columns : b.rows, columns = transposed ? b.rows : b.columns
        let panels = PackedPanels(base: destination, rows: rows, columns: columns, instructionSet: instructionSet)
        let work = Packing(source: b, transposed: transposed, panels: panels, destination: destination)
        if let pool, rows * columns >= 1 << 16 {
            pool.parallelFor(panels.panelCount, minimumChunk: max(1, (1 << 14) / max(1, rows)), work)
        } else {
            work.run(0..<panels.panelCount)
        }
        return panels
    }

    private struct Packing: ParallelRangeWork {
        let source: MatrixView
        let transposed: Bool
        let panels: PackedPanels
        let destination: UnsafeMutablePointer<Float>

        func run(_ range: Range<Int>) {
            let k = panels.rows, n = panels.columns
            guard panels.instructionSet.hasOwnGEMM else {
                // OpenBLAS reads Bᵀ as a plain N × K matrix: copy (or transpose) its rows.
                for column in range {
                    let out = destination + column * k
                    if transposed {
                        out.update(from: source.base + column * source.leadingDimension, count: k)
                    } else {
                        for step in 0..<k { out[step] = source.base[step * source.leadingDimension + column] }
                    }
                }
                return
            }
            ck_pack_b(source.base, source.leadingDimension, transposed ? 1 : 0, k, n,
                      PackedPanels.panelWidth(panels.instructionSet), range.lowerBound, range.upperBound, destination)
        }
    }
}

/// A constant weight matrix packed once, at load, for `y = x·Wᵀ`: the packed copy replaces the
/// checkpoint's `[outputs, inputs]` matrix (whose memory-mapped pages the loader can then release).
public final class PackedMatrix: @unchecked Sendable {
    // @unchecked: the storage is written once in init and only read afterwards.

    /// The packed panels (B = Wᵀ: `inputs × outputs`).
    public let panels: PackedPanels
    private let storage: TensorStorage

    /// The output features (rows of W).
    public var outputs: Int { panels.columns }
    /// The input features (columns of W).
    public var inputs: Int { panels.rows }

    /// Packs `weight` (`outputs × inputs`, row-major: PyTorch's Linear layout) for
    /// `instructionSet`'s kernels, in parallel on `pool`.
    public convenience init(weight: MatrixView, instructionSet: VectorInstructionSet, pool: ThreadPool? = nil) {
        self.init(stacking: [weight], instructionSet: instructionSet, pool: pool)
    }

    /// Packs the weights of several layers that read the same input as one (`Σ outputs × inputs`:
    /// the parts' rows one after another), e.g. attention's query, key and value projections.
    public init(stacking parts: [MatrixView], instructionSet: VectorInstructionSet, pool: ThreadPool? = nil) {
        let inputs = parts.first?.columns ?? 0, outputs = parts.reduce(0) { $0 + $1.rows }
        precondition(parts.allSatisfy { $0.columns == inputs }, "stacked weights must have the same input width")
        let count = PackedPanels.floatCount(rows: inputs, columns: outputs, instructionSet: instructionSet)
        // Packing writes every float, padding included.
        storage = TensorStorage(uninitializedByteCount: max(1, count) * MemoryLayout<Float>.stride)
        let base = storage.baseAddress.assumingMemoryBound(to: Float.self)
        let width = PackedPanels.panelWidth(instructionSet)
        if parts.count == 1 || parts.dropLast().allSatisfy({ $0.rows % width == 0 }) {
            // Every part but the last fills whole panels: pack each straight into its panels.
            var first = 0
            for part in parts {
                _ = PackedPanels.pack(part, transposed: true, instructionSet: instructionSet,
                                      into: base + first * inputs, pool: pool)
                first += part.rows
            }
        } else {
            let stacked = Tensor(zeros: [outputs, inputs])
            var row = 0
            for part in parts {
                for index in 0..<part.rows {
                    (stacked.mutablePointer + (row + index) * inputs)
                        .update(from: part.base + index * part.leadingDimension, count: inputs)
                }
                row += part.rows
            }
            _ = PackedPanels.pack(stacked.matrix, transposed: true, instructionSet: instructionSet, into: base, pool: pool)
        }
        panels = PackedPanels(base: base, rows: inputs, columns: outputs, instructionSet: instructionSet)
    }

    /// Bytes of packed weights held.
    public var byteCount: Int { storage.byteCount }
}
