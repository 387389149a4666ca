import CKernels

extension MatrixMultiply {
    /// `C ← act(α·A·B + bias) + residual` for a bfloat16 `B`, with `A` already packed by the step
    /// that produced it (``PackedRows``): the product packs nothing. The same bits as the product
    /// over the Float32 rows.
    public static func multiply(_ a: PackedRows, _ b: PackedPanels, into c: MutableMatrixView,
                                epilogue: GEMMEpilogue = .none, pool: ThreadPool? = nil) {
        checkPackedRowsProduct(a, b, rows: c.rows, columns: c.columns, epilogue: epilogue)
        guard c.rows > 0, c.columns > 0 else { return }
        runReducedPrecision(words: a.base, rowScales: nil, rowZeroPoints: nil, m: a.rows, k: a.columns, b,
                            into: c.base, leadingDimension: c.leadingDimension, packedOutput: nil,
                            epilogue: epilogue, pool: pool)
    }

    /// ``multiply(_:_:into:epilogue:pool:)`` storing `C` as packed rows for the next bfloat16
    /// product (an MLP's first layer writing the second's input): `C`'s Float32 values are never
    /// stored, only their bfloat16 pairs (the last strip's rows past M as zeros).
    public static func multiply(_ a: PackedRows, _ b: PackedPanels, intoPacked c: PackedRows,
                                epilogue: GEMMEpilogue = .none, pool: ThreadPool? = nil) {
        precondition(c.instructionSet == b.instructionSet, "packed rows are for the kernels of the product")
        checkPackedRowsProduct(a, b, rows: c.rows, columns: c.columns, epilogue: epilogue)
        guard c.rows > 0, c.columns > 0 else { return }
        runReducedPrecision(words: a.base, rowScales: nil, rowZeroPoints: nil, m: a.rows, k: a.columns, b,
                            into: nil, leadingDimension: 0, packedOutput: c.base, epilogue: epilogue, pool: pool)
    }

    /// The shapes of a product over packed rows into `rows × columns`, and its B a bfloat16 one for A's kernels.
    private static func checkPackedRowsProduct(_ a: PackedRows, _ b: PackedPanels, rows: Int, columns: Int,
                                               epilogue: GEMMEpilogue) {
        precondition(a.columns == b.rows && rows == a.rows && columns == b.columns,
                     "GEMM shape mismatch: A \(a.rows)×\(a.columns), B \(b.rows)×\(b.columns), C \(rows)×\(columns)")
        precondition(epilogue.residual.map { $0.rows == rows && $0.columns == columns } ?? true,
                     "GEMM residual shape mismatch")
        precondition(b.precision == .bfloat16 && a.instructionSet == b.instructionSet,
                     "packed rows are the A of a bfloat16 product on the same kernels")
    }

    /// A bfloat16 or int8 product: `A` is rounded (bfloat16) or quantised per row (int8) into
    /// `scratch` strip by strip, in parallel, then the panels run on the best kernel this CPU has
    /// (see ``kernelName(_:_:)``).
    static func reducedPrecisionGEMM(_ a: MatrixView, _ b: PackedPanels, into c: MutableMatrixView,
                                     epilogue: GEMMEpilogue, scratch: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        let isAVX512 = b.instructionSet == .avx512
        let height = PackedRows.stripHeight(b.instructionSet)
        let m = a.rows, k = a.columns, strips = (m + height - 1) / height
        let words = UnsafeMutableRawPointer(scratch).assumingMemoryBound(to: UInt32.self)
        let wordsPerStrip = height * (b.precision == .int8 ? (k + 3) / 4 : (k + 1) / 2)
        let rowScales = scratch + strips * wordsPerStrip
        let rowZeroPoints = UnsafeMutableRawPointer(rowScales + strips * height).assumingMemoryBound(to: Int32.self)
        let packing = ReducedPrecisionPacking(a: a, precision: b.precision, isAVX512: isAVX512, words: words,
                                              rowScales: rowScales, rowZeroPoints: rowZeroPoints)
        if let pool, m * k >= 1 << 14 { pool.parallelFor(strips, minimumChunk: 2, packing) } else { packing.run(0..<strips) }
        runReducedPrecision(words: words, rowScales: rowScales, rowZeroPoints: rowZeroPoints, m: m, k: k, b,
                            into: c.base, leadingDimension: c.leadingDimension, packedOutput: nil,
                            epilogue: epilogue, pool: pool)
    }

    /// The panels of a product whose A is packed (`words`, with int8's row scales and zero points),
    /// into `c` or, with `packedOutput`, into packed rows.
    private static func runReducedPrecision(words: UnsafeMutablePointer<UInt32>, rowScales: UnsafeMutablePointer<Float>?,
                                            rowZeroPoints: UnsafeMutablePointer<Int32>?, m: Int, k: Int,
                                            _ b: PackedPanels, into c: UnsafeMutablePointer<Float>?,
                                            leadingDimension: Int, packedOutput: UnsafeMutablePointer<UInt32>?,
                                            epilogue: GEMMEpilogue, pool: ThreadPool?) {
        let isAVX512 = b.instructionSet == .avx512
        let a = UnsafeRawPointer(words).assumingMemoryBound(to: Float.self)
        let problem = ck_gemm_problem(m: m, n: b.columns, k: k, a: a, lda: k, a_is_packed: 1,
                                      packed_b: b.base, c: c, ldc: leadingDimension,
                                      epilogue: epilogue.kernelEpilogue, a_block_bytes: CacheSizes.aBlockBytes,
                                      a_scales: rowScales.map { UnsafePointer($0) },
                                      a_zero_points: rowZeroPoints.map { UnsafePointer($0) }, b_scales: b.scales,
                                      b_offsets: b.offsets, c_packed: packedOutput)
        let kernel: PanelWork.Kernel
        switch (b.precision, isAVX512, NativeDotInstruction.forProducts(b.precision, on: b.instructionSet)) {
        case (.bfloat16, _, .vdpbf16ps?): kernel = ck_avx512bf16_gemm_bf16
        case (.bfloat16, true, _): kernel = ck_avx512_gemm_bf16
        case (.bfloat16, false, _): kernel = ck_avx2_gemm_bf16
        case (.int8, _, .vpdpbusd?): kernel = ck_avx512vnni_gemm_int8
        case (.int8, true, _): kernel = ck_avx512_gemm_int8
        case (.int8, false, _): kernel = ck_avx2_gemm_int8
        case (.float32, _, _): preconditionFailure("not a reduced-precision product")
        }
        runPanels(PanelWork(problem: problem, panels: b.panelCount, kernel: kernel), pool: pool)
    }

    private struct ReducedPrecisionPacking: ParallelRangeWork {
        let a: MatrixView
        let precision: ComputePrecision
        let isAVX512: Bool
        let words: UnsafeMutablePointer<UInt32>
        let rowScales: UnsafeMutablePointer<Float>
        let rowZeroPoints: UnsafeMutablePointer<Int32>

        func run(_ strips: Range<Int>) {
            let (first, end) = (strips.lowerBound, strips.upperBound)
            switch (precision, isAVX512) {
            case (.bfloat16, true): ck_avx512_pack_a_bf16(a.base, a.leadingDimension, a.rows, a.columns, first, end, words)
            case (.bfloat16, false): ck_avx2_pack_a_bf16(a.base, a.leadingDimension, a.rows, a.columns, first, end, words)
            case (.int8, true):
                ck_avx512_quantize_a_int8(a.base, a.leadingDimension, a.rows, a.columns, first, end, words, rowScales,
                                          rowZeroPoints)
            case (.int8, false):
                ck_avx2_quantize_a_int8(a.base, a.leadingDimension, a.rows, a.columns, first, end, words, rowScales,
                                        rowZeroPoints)
            case (.float32, _): break
            }
        }
    }
}
