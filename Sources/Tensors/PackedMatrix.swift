import CKernels

/// The right-hand operand `B` (K × N) of `A·B` in the layout our GEMM kernels read: column panels
/// as wide as the kernel's tile, k-major within a panel (see `ck_gemm.h`). A view: it does not own
/// the memory (``PackedMatrix`` does, for weights; attention packs its keys and values into
/// scratch memory).
///
/// For ``VectorInstructionSet/baseline`` (GEMMs through OpenBLAS) the "packed" form is `Bᵀ` as a
/// plain row-major `N × K` matrix. In ``ComputePrecision/bfloat16`` and ``ComputePrecision/int8``
/// the panels hold 32-bit words of two or four k (see `ck_gemm.h`).
public struct PackedPanels {
    /// The packed floats (or words).
    public let base: UnsafePointer<Float>
    /// K: the rows of `B`, the shared dimension.
    public let rows: Int
    /// N: the columns of `B`, the output columns.
    public let columns: Int
    /// The kernels the layout is for.
    public let instructionSet: VectorInstructionSet
    /// The element format of the product.
    public let precision: ComputePrecision
    /// Float32 products whose B is stored as bfloat16 (`WeightPrecision.bfloat16`: half the memory).
    public let storesBFloat16: Bool
    /// int8: each column's scale (`[columns]`).
    let scales: UnsafePointer<Float>?
    /// int8: each column's Σₖ s8 (`[columns]`).
    let offsets: UnsafePointer<Int32>?

    init(base: UnsafePointer<Float>, rows: Int, columns: Int, instructionSet: VectorInstructionSet,
         precision: ComputePrecision = .float32, storesBFloat16: Bool = false, scales: UnsafePointer<Float>? = nil,
         offsets: UnsafePointer<Int32>? = nil) {
        self.base = base
        self.rows = rows
        self.columns = columns
        self.instructionSet = instructionSet
        self.precision = precision
        self.storesBFloat16 = storesBFloat16
        self.scales = scales
        self.offsets = offsets
    }

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

    /// Floats (or 32-bit words) needed to pack a `rows × columns` B for `instructionSet` in `precision`.
    public static func floatCount(rows: Int, columns: Int, instructionSet: VectorInstructionSet,
                                  precision: ComputePrecision = .float32) -> Int {
        instructionSet == .baseline
            ? rows * columns
            : ck_packed_b_words(rows, columns, panelWidth(instructionSet), precision.kernelFormat)
    }

    /// Packs `b` into `destination` (``floatCount(rows:columns:instructionSet:)`` floats, 64-byte
    /// aligned). With `transposed`, `b` holds `Bᵀ` (`N × K`, e.g. PyTorch's `[out, in]` weights or
    /// attention's keys); otherwise `B` itself (`K × N`). `pool` packs panels in parallel.
    public static func pack(_ b: MatrixView, transposed: Bool, instructionSet: VectorInstructionSet,
                            into destination: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) -> PackedPanels {
        pack(b, transposed: transposed, instructionSet: instructionSet, precision: .float32, into: destination,
             scales: nil, offsets: nil, pool: pool)
    }

    /// Packs `b` for Float32 or bfloat16 products (see ``pack(_:transposed:instructionSet:into:pool:)``):
    /// bfloat16 rounds it to pairs of bfloat16 (``floatCount(rows:columns:instructionSet:precision:)``
    /// words).
    public static func pack(_ b: MatrixView, transposed: Bool, instructionSet: VectorInstructionSet,
                            precision: ComputePrecision, into destination: UnsafeMutablePointer<Float>,
                            pool: ThreadPool? = nil) -> PackedPanels {
        precondition(precision != .int8, "int8 packing needs scales and offsets")
        return pack(b, transposed: transposed, instructionSet: instructionSet, precision: precision,
                    into: destination, scales: nil, offsets: nil, pool: pool)
    }

    /// Packs `b` in `precision` (see ``pack(_:transposed:instructionSet:into:pool:)``); int8 also
    /// writes each column's scale and offset into `scales` and `offsets` (`[columns]`).
    static func pack(_ b: MatrixView, transposed: Bool, instructionSet: VectorInstructionSet,
                     precision: ComputePrecision, storesBFloat16: Bool = false,
                     into destination: UnsafeMutablePointer<Float>,
                     scales: UnsafeMutablePointer<Float>?, offsets: UnsafeMutablePointer<Int32>?,
                     pool: ThreadPool?) -> PackedPanels {
        precondition(precision == .float32 || instructionSet.hasOwnGEMM,
                     "\(precision) products need our AVX2 or AVX-512 kernels")
        precondition(precision != .int8 || (scales != nil && offsets != nil), "int8 packing needs scales and offsets")
        let rows = transposed ? b.columns : b.rows, columns = transposed ? b.rows : b.columns
        let panels = PackedPanels(base: destination, rows: rows, columns: columns, instructionSet: instructionSet,
                                  precision: precision, storesBFloat16: storesBFloat16,
                                  scales: scales.map { UnsafePointer($0) },
                                  offsets: offsets.map { UnsafePointer($0) })
        let work = Packing(source: b, transposed: transposed, panels: panels, destination: destination,
                           scales: scales, offsets: offsets)
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
        let scales: UnsafeMutablePointer<Float>?
        let offsets: UnsafeMutablePointer<Int32>?

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
            let width = PackedPanels.panelWidth(panels.instructionSet), flag: Int32 = transposed ? 1 : 0
            let words = UnsafeMutableRawPointer(destination).assumingMemoryBound(to: UInt32.self)
            switch panels.precision {
            case .float32 where !panels.storesBFloat16:
                ck_pack_b(source.base, source.leadingDimension, flag, k, n, width, range.lowerBound, range.upperBound,
                          destination)
            case .float32, .bfloat16:
                // The vectorised packing of the family's panel width (the same words as `ck_pack_b_bf16`).
                let pack = panels.instructionSet == .avx512 ? ck_avx512_pack_b_bf16 : ck_avx2_pack_b_bf16
                pack(source.base, source.leadingDimension, flag, k, n, range.lowerBound, range.upperBound, words)
            case .int8:
                ck_pack_b_int8(source.base, source.leadingDimension, flag, k, n, width, range.lowerBound,
                               range.upperBound, words, scales, offsets)
            }
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
    /// int8: per-column scales and offsets.
    private let quantization: TensorStorage?

    /// The output features (rows of W).
    public var outputs: Int { panels.columns }
    /// The input features (columns of W).
    public var inputs: Int { panels.rows }

    /// Packs `weight` (`outputs × inputs`, row-major: PyTorch's Linear layout) for
    /// `instructionSet`'s kernels in `precision`, in parallel on `pool`. With `storesBFloat16` (Float32
    /// products, our kernels only) the weight is kept rounded to bfloat16, in half the memory.
    public convenience init(weight: MatrixView, instructionSet: VectorInstructionSet,
                            precision: ComputePrecision = .float32, storesBFloat16: Bool = false,
                            pool: ThreadPool? = nil) {
        self.init(stacking: [weight], instructionSet: instructionSet, precision: precision,
                  storesBFloat16: storesBFloat16, pool: pool)
    }

    /// Packs the weights of several layers that read the same input as one (`Σ outputs × inputs`:
    /// the parts' rows one after another), e.g. attention's query, key and value projections.
    public init(stacking parts: [MatrixView], instructionSet: VectorInstructionSet,
                precision: ComputePrecision = .float32, storesBFloat16: Bool = false, pool: ThreadPool? = nil) {
        let inputs = parts.first?.columns ?? 0, outputs = parts.reduce(0) { $0 + $1.rows }
        precondition(parts.allSatisfy { $0.columns == inputs }, "stacked weights must have the same input width")
        precondition(!storesBFloat16 || (precision == .float32 && instructionSet.hasOwnGEMM),
                     "bfloat16 storage is for Float32 products on our kernels")
        let count = PackedPanels.floatCount(rows: inputs, columns: outputs, instructionSet: instructionSet,
                                            precision: storesBFloat16 ? .bfloat16 : precision)
        // Packing writes every float, padding included.
        storage = TensorStorage(uninitializedByteCount: max(1, count) * MemoryLayout<Float>.stride)
        quantization = precision == .int8 ? TensorStorage(uninitializedByteCount: max(1, outputs) * 8) : nil
        let base = storage.baseAddress.assumingMemoryBound(to: Float.self)
        let scales = quantization?.baseAddress.assumingMemoryBound(to: Float.self)
        let offsets = quantization.map { ($0.baseAddress + outputs * 4).assumingMemoryBound(to: Int32.self) }
        let width = PackedPanels.panelWidth(instructionSet)
        let wordsPerColumn = count / max(1, (outputs + width - 1) / width * width)
        if parts.count == 1 || parts.dropLast().allSatisfy({ $0.rows % width == 0 }) {
            // Every part but the last fills whole panels: pack each straight into its panels.
            var first = 0
            for part in parts {
                _ = PackedPanels.pack(part, transposed: true, instructionSet: instructionSet, precision: precision,
                                      storesBFloat16: storesBFloat16, into: base + first * wordsPerColumn, scales: scales.map { $0 + first },
                                      offsets: offsets.map { $0 + first }, pool: pool)
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
            _ = PackedPanels.pack(stacked.matrix, transposed: true, instructionSet: instructionSet,
                                  precision: precision, storesBFloat16: storesBFloat16, into: base, scales: scales,
                                  offsets: offsets, pool: pool)
        }
        panels = PackedPanels(base: base, rows: inputs, columns: outputs, instructionSet: instructionSet,
                              precision: precision, storesBFloat16: storesBFloat16, scales: scales.map { UnsafePointer($0) },
                              offsets: offsets.map { UnsafePointer($0) })
    }

    /// Bytes of packed weights held.
    public var byteCount: Int { storage.byteCount + (quantization?.byteCount ?? 0) }
}
