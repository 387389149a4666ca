import Tensors

/// Everything one forward pass writes: the activations of a batch, sized once for the largest
/// batch it will run, and the threads it runs on. After it is created, a pass allocates nothing.
///
/// Buffers that are never live at the same time share memory: the patch rows (read only by the
/// embedding), a layer's `[Q | K | V]` (dead once attention has run) and its MLP activations.
/// A state serves one pass at a time; concurrent passes each need their own.
public final class ForwardState {
    /// The largest batch a pass may have.
    public let batchCapacity: Int
    /// The threads every step's work is split across.
    public let pool: ThreadPool
    /// When set, each step's wall time is added to it (for `vit-bench`).
    public var profile: StageProfile?

    let compute: ComputeContext
    let tokens: Int
    let width: Int
    let intermediateWidth: Int
    let hidden: UnsafeMutablePointer<Float>
    /// LayerNorm's output (packed rows in a bfloat16 pass).
    let normed: UnsafeMutablePointer<Float>
    let context: UnsafeMutablePointer<Float>
    let classTokens: UnsafeMutablePointer<Float>
    /// Patch rows, then `[Q | K | V]`, then the MLP's hidden activations (packed rows in a bfloat16 pass).
    let phase: UnsafeMutablePointer<Float>
    let attentionScratch: AttentionScratch
    private let storage: TensorStorage

    /// Room for passes of up to `batchCapacity` images of `model`, on `pool`'s threads.
    public init(model: ViTForImageClassification, batchCapacity: Int, pool: ThreadPool) {
        precondition(batchCapacity >= 1, "a forward state needs room for at least one image")
        let c = model.configuration, isa = model.instructionSet
        let t = c.sequenceLength, d = c.hiddenSize, i = c.intermediateSize, b = batchCapacity
        let rows = b * t, patches = t - 1, patchLength = c.numChannels * c.patchSize * c.patchSize
        self.batchCapacity = b
        self.pool = pool
        tokens = t
        width = d
        intermediateWidth = i
        // Rows are laid out `padded(columns)` apart, so GEMMs read them in place (Architecture.md).
        func padded(_ columns: Int) -> Int { MatrixMultiply.paddedLeadingDimension(columns) }
        let projections = [(rows, 3 * d, d), (rows, d, d), (rows, i, d), (rows, d, i)].map {
            MatrixMultiply.scratchCount(m: $0.0, n: $0.1, k: $0.2, leadingDimension: padded($0.2), instructionSet: isa,
                                        precision: model.computePrecision)
        }
        let others = [(patches, d, patchLength), (b, c.numLabels, d)].map {
            MatrixMultiply.scratchCount(m: $0.0, n: $0.1, k: $0.2, leadingDimension: padded($0.2), instructionSet: isa)
        }
        let scratchCount = (projections + others).max() ?? 0
        // A bfloat16 pass keeps LayerNorm's output and the MLP's activations as packed rows (whole strips).
        let packedRows = model.computePrecision == .bfloat16 && isa.hasOwnGEMM
        func packed(_ columns: Int) -> Int {
            packedRows ? PackedRows.wordCount(rows: rows, columns: columns, instructionSet: isa) : 0
        }
        let sizes = [rows * padded(d), max(rows * padded(d), packed(d)), rows * padded(d), b * padded(d),
                     max(b * patches * padded(patchLength), rows * padded(3 * d), rows * padded(i), packed(i)),
                     scratchCount,
                     AttentionScratch.count(threads: pool.threadCount, tokens: t, headSize: c.headSize,
                                            queryStride: padded(3 * d), instructionSet: isa,
                                            precision: model.attentionPrecision)].map { ($0 + 15) / 16 * 16 }
        // Every buffer is written before it is read (packing writes its padding too).
        storage = TensorStorage(uninitializedByteCount: max(1, sizes.reduce(0, +)) * MemoryLayout<Float>.stride)
        var next = storage.baseAddress.assumingMemoryBound(to: Float.self)
        func carve(_ index: Int) -> UnsafeMutablePointer<Float> {
            defer { next += sizes[index] }
            return next
        }
        hidden = carve(0)
        normed = carve(1)
        context = carve(2)
        classTokens = carve(3)
        phase = carve(4)
        compute = ComputeContext(pool: pool, instructionSet: isa, gemmScratch: carve(5))
        attentionScratch = AttentionScratch(base: carve(6), tokens: t, headSize: c.headSize, queryStride: padded(3 * d),
                                            instructionSet: isa, precision: model.attentionPrecision)
    }

    /// Bytes the state holds.
    public var byteCount: Int { storage.byteCount }

    /// Runs `body`, adding its time to `stage` when there is a profile.
    @inline(__always)
    func timed<Result>(_ stage: ForwardStage, _ body: () -> Result) -> Result {
        profile.measure(stage, body)
    }

    /// `rows` rows of `columns` at `base`, ``MatrixMultiply/paddedLeadingDimension(_:)`` apart.
    func matrix(_ base: UnsafeMutablePointer<Float>, rows: Int, columns: Int) -> MutableMatrixView {
        MutableMatrixView(base, rows: rows, columns: columns,
                          leadingDimension: MatrixMultiply.paddedLeadingDimension(columns))
    }
}
