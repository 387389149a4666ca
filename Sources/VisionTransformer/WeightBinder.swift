import Tensors
import Checkpoints

/// Hands out a checkpoint's tensors by their Hugging Face names while a model is built, and
/// records every problem instead of stopping at the first.
///
/// Layers ask for parameters under a scope (`binder.scoped("vit.encoder.layer.3")`), exactly
/// as the checkpoint names them, so loading is a walk over the module tree, as in candle's
/// `VarBuilder`. A missing or misshapen tensor is replaced by zeros so building can go on;
/// ``finish()`` then throws one error listing every missing, unexpected and misshapen tensor.
public struct WeightBinder {
    /// Shared by all scopes of one binding pass.
    private final class Record {
        let tensors: any NamedTensors
        let source: String
        let precision: WeightPrecision
        let instructionSet: VectorInstructionSet
        let computePrecision: ComputePrecision
        let pool: ThreadPool?
        var used: Set<String> = []
        var missing: [String] = []
        var wrongShape: [WeightBindingError.ShapeMismatch] = []
        var readError: SafetensorsError?
        /// The tensors packed so far, whose pages have been given back.
        var released: [String] = []
        init(tensors: any NamedTensors, source: String, precision: WeightPrecision,
             instructionSet: VectorInstructionSet, computePrecision: ComputePrecision, pool: ThreadPool?) {
            self.tensors = tensors
            self.source = source
            self.precision = precision
            self.instructionSet = instructionSet
            self.computePrecision = computePrecision
            self.pool = pool
        }
    }

    /// Names a checkpoint may hold that a `ViTForImageClassification` does not use, and that
    /// transformers itself drops without complaint: the pooler of a `ViTModel` saved with
    /// `add_pooling_layer=True`.
    static let ignorablePrefixes = ["vit.pooler."]

    private let record: Record
    private let prefix: String

    /// Starts binding `tensors`; `source` names them in errors (usually the checkpoint's path).
    /// With `precision` `.bfloat16`, every tensor handed out is rounded to bfloat16. Matrices are
    /// packed for `instructionSet`'s kernels, in parallel on `pool`; the projection layers' in
    /// `computePrecision`.
    public init(_ tensors: any NamedTensors, source: String, precision: WeightPrecision = .float32,
                instructionSet: VectorInstructionSet = .detected, computePrecision: ComputePrecision = .float32,
                pool: ThreadPool? = nil) {
        record = Record(tensors: tensors, source: source, precision: precision, instructionSet: instructionSet,
                        computePrecision: computePrecision, pool: pool)
        prefix = ""
    }

    private init(record: Record, prefix: String) {
        self.record = record
        self.prefix = prefix
    }

    /// A binder whose names are prefixed by `component` (joined with a dot).
    public func scoped(_ component: String) -> WeightBinder {
        WeightBinder(record: record, prefix: prefix.isEmpty ? component : "\(prefix).\(component)")
    }

    /// The precision the model keeps its weights in.
    public var precision: WeightPrecision { record.precision }
    /// The kernels matrices are packed for.
    public var instructionSet: VectorInstructionSet { record.instructionSet }
    /// The format of the projection layers' products.
    public var computePrecision: ComputePrecision { record.computePrecision }
    /// The threads packing runs on.
    public var pool: ThreadPool? { record.pool }

    /// Tells the checkpoint that the tensor `name` (within this scope) has been copied into the
    /// model (packed), so the memory it occupies can be given back (see
    /// `NamedTensors.releaseMemory(ofTensorNamed:)`).
    ///
    /// The tensors released before are released again: a page-cache folio can span the end of one
    /// tensor and the start of the next, and Linux (6.16 and later on ext4) maps such large folios
    /// whole on a fault, so reading one tensor maps back pages of its released neighbours (measured:
    /// 58 MB of a ViT-B/16 checkpoint resident again after loading, without this).
    public func release(_ name: String) {
        record.released.append(prefix.isEmpty ? name : "\(prefix).\(name)")
        for released in record.released { record.tensors.releaseMemory(ofTensorNamed: released) }
    }

    /// The tensor `name` (within this scope), which must have exactly `shape`; rounded to
    /// bfloat16 values when ``precision`` says so. Its memory is its own (copied out of a
    /// memory-mapped checkpoint), so that the checkpoint's pages can all be given back once the model
    /// is bound (``finish()``).
    public func tensor(_ name: String, shape: [Int]) -> Tensor {
        let tensor = tensorToPack(name, shape: shape)
        return tensor.storage.isOwned ? tensor : tensor.copy()
    }

    /// The tensor `name` as ``tensor(_:shape:)`` gives it, but possibly borrowing the checkpoint's
    /// memory: for a weight that is packed at once and then released (``release(_:)``).
    public func tensorToPack(_ name: String, shape: [Int]) -> Tensor {
        let tensor = storedTensor(name, shape: shape)
        return record.precision == .bfloat16 ? WeightPrecision.roundedToBFloat16(tensor) : tensor
    }

    /// The tensor `name` as stored (converted to Float32), without rounding.
    private func storedTensor(_ name: String, shape: [Int]) -> Tensor {
        let fullName = prefix.isEmpty ? name : "\(prefix).\(name)"
        record.used.insert(fullName)
        guard let actual = record.tensors.shape(of: fullName) else {
            record.missing.append(fullName)
            return Tensor(zeros: shape)
        }
        guard actual == shape else {
            record.wrongShape.append(.init(name: fullName, expected: shape, actual: actual))
            return Tensor(zeros: shape)
        }
        do {
            return try record.tensors.tensor(named: fullName)
        } catch let error as SafetensorsError {
            if record.readError == nil { record.readError = error }
        } catch {
            if record.readError == nil {
                record.readError = .cannotOpen(file: record.source, reason: "\(fullName): \(error)")
            }
        }
        return Tensor(zeros: shape)
    }

    /// Throws if any requested tensor was missing, misshapen or unreadable, or if the
    /// checkpoint holds tensors nobody asked for. Otherwise gives back the pages of every tensor of the checkpoint: the model holds copies of
    /// all it uses.
    public func finish() throws(WeightBindingError) {
        if let error = record.readError { throw .unreadableTensor(error) }
        let unexpected = record.tensors.tensorNames.filter { name in
            !record.used.contains(name) && !Self.ignorablePrefixes.contains { name.hasPrefix($0) }
        }
        if !record.missing.isEmpty || !unexpected.isEmpty || !record.wrongShape.isEmpty {
            throw .checkpointMismatch(checkpoint: record.source, missing: record.missing,
                                      unexpected: unexpected, wrongShape: record.wrongShape)
        }
        record.tensors.releaseAllMemory()
    }
}
