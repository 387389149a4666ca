import CKernels

extension MatrixMultiply {
    /// A bfloat16 or int8 product: `A` is rounded (bfloat16) or quantised per row (int8) into
    /// `scratch` strip by strip, in parallel, then the panels run on the best kernel this CPU has
    /// (see ``kernelName(_:_:)``).
    static func reducedPrecisionGEMM(_ a: MatrixView, _ b: PackedPanels, into c: MutableMatrixView,
                                     epilogue: GEMMEpilogue, scratch: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        let isAVX512 = b.instructionSet == .avx512
        let height = ck_gemm_strip_height(isAVX512 ? CK_GEMM_AVX512 : CK_GEMM_AVX2)
        let m = a.rows, k = a.columns, strips = (m + height - 1) / height
        let words = UnsafeMutableRawPointer(scratch).assumingMemoryBound(to: UInt32.self)
        let wordsPerStrip = height * (b.precision == .int8 ? (k + 3) / 4 : (k + 1) / 2)
        let rowScales = scratch + strips * wordsPerStrip
        let rowZeroPoints = UnsafeMutableRawPointer(rowScales + strips * height).assumingMemoryBound(to: Int32.self)
        let packing = ReducedPrecisionPacking(a: a, precision: b.precision, isAVX512: isAVX512, words: words,
                                              rowScales: rowScales, rowZeroPoints: rowZeroPoints)
        if let pool, m * k >= 1 << 14 { pool.parallelFor(strips, minimumChunk: 2, packing) } else { packing.run(0..<strips) }

        let problem = ck_gemm_problem(m: m, n: b.columns, k: k, a: UnsafePointer(scratch), lda: k, a_is_packed: 1,
                                      packed_b: b.base, c: c.base, ldc: c.leadingDimension,
                                      epilogue: epilogue.kernelEpilogue, a_block_bytes: CacheSizes.aBlockBytes,
                                      a_scales: UnsafePointer(rowScales),
                                      a_zero_points: UnsafePointer(rowZeroPoints), b_scales: b.scales,
                                      b_offsets: b.offsets)
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
