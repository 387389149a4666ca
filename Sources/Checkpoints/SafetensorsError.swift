import Foundation

/// Why a safetensors checkpoint (a single file or a sharded index) could not be opened or read.
///
/// Every case names the file (its path) and, where there is one, the tensor. The cases mirror the
/// validation of the reference implementation (huggingface/safetensors, `tensor.rs`), split finer
/// where that helps someone repair the file.
public enum SafetensorsError: Error, Sendable, Equatable {
    /// The file could not be opened, inspected or memory-mapped.
    case cannotOpen(file: String, reason: String)
    /// The file is shorter than the 8-byte header length.
    case headerTooSmall(file: String, fileSize: Int)
    /// The header length exceeds the 100 MB limit of the reference implementation.
    case headerTooLarge(file: String, headerLength: UInt64)
    /// The header length points past the end of the file.
    case headerLengthExceedsFile(file: String, headerLength: UInt64, fileSize: Int)
    /// The header is not valid UTF-8.
    case headerNotUTF8(file: String)
    /// The header is not a JSON object of the expected form.
    case invalidHeaderJSON(file: String, reason: String)
    /// Two header entries have the same tensor name.
    case duplicateTensorName(file: String, tensor: String)
    /// `__metadata__` is not a map from strings to strings.
    case invalidMetadata(file: String, reason: String)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`, or one has the wrong form.
    case invalidTensorEntry(file: String, tensor: String, reason: String)
    /// A tensor's `dtype` is not a safetensors dtype at all.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A tensor's byte range does not continue exactly where the previous one (in offset order)
    /// ended, or it ends before it begins.
    case invalidOffsets(file: String, tensor: String, begin: UInt64, end: UInt64, problem: OffsetProblem)
    /// A tensor's element count, or its size in bits, overflows.
    case sizeOverflow(file: String, tensor: String, shape: [UInt64])
    /// A tensor of a sub-byte dtype does not fill a whole number of bytes.
    case misalignedPackedTensor(file: String, tensor: String, dtype: DType, shape: [Int])
    /// A tensor's byte range does not match its shape and dtype.
    case byteCountMismatch(file: String, tensor: String, dtype: DType, shape: [Int], expected: Int, actual: UInt64)
    /// The tensors' byte ranges do not cover the data section exactly (it is longer or shorter).
    case dataSizeMismatch(file: String, covered: UInt64, dataSize: Int)
    /// There is no tensor with that name.
    case tensorNotFound(file: String, tensor: String)
    /// The tensor exists but its dtype cannot be read as Float32.
    case unsupportedDType(file: String, tensor: String, dtype: DType)
    /// A `model.safetensors.index.json` is malformed.
    case invalidIndex(file: String, reason: String)
    /// A shard named in an index does not exist.
    case missingShard(index: String, shard: String)
    /// An index maps a tensor to a shard that does not contain it.
    case tensorMissingFromShard(index: String, tensor: String, shard: String)
    /// Two shards contain a tensor with the same name.
    case tensorInSeveralShards(index: String, tensor: String, shards: [String])
    /// A directory holds no safetensors weights.
    case noSafetensorsWeights(directory: String)
    /// A directory holds only pickled PyTorch weights, which are never loaded (unpickling runs
    /// arbitrary code).
    case pickleWeightsOnly(directory: String, file: String)

    /// How a tensor's `data_offsets` break the contiguous layout.
    public enum OffsetProblem: Sendable, Equatable {
        /// The end offset is smaller than the begin offset.
        case endBeforeBegin
        /// Bytes between the previous tensor's end (`expectedBegin`) and this begin belong to no
        /// tensor.
        case gap(expectedBegin: UInt64)
        /// This tensor begins before the previous tensor's end (`expectedBegin`).
        case overlap(expectedBegin: UInt64)
    }
}

extension SafetensorsError: CustomStringConvertible, LocalizedError {
    /// A message naming the file, the tensor and the problem.
    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason):
            return "\(file): cannot open: \(reason)"
        case .headerTooSmall(let file, let size):
            return "\(file): not a safetensors file: \(size) bytes is shorter than the 8-byte header length"
        case .headerTooLarge(let file, let length):
            return "\(file): header length \(length) exceeds the limit of \(SafetensorsHeader.maximumHeaderLength) bytes"
        case .headerLengthExceedsFile(let file, let length, let size):
            return "\(file): header length \(length) goes past the end of the \(size)-byte file (truncated or not safetensors)"
        case .headerNotUTF8(let file):
            return "\(file): the header is not valid UTF-8"
        case .invalidHeaderJSON(let file, let reason):
            return "\(file): the header is not valid safetensors JSON: \(reason)"
        case .duplicateTensorName(let file, let tensor):
            return "\(file): tensor \"\(tensor)\" appears twice in the header"
        case .invalidMetadata(let file, let reason):
            return "\(file): __metadata__ \(reason)"
        case .invalidTensorEntry(let file, let tensor, let reason):
            return "\(file): tensor \"\(tensor)\": \(reason)"
        case .unknownDType(let file, let tensor, let dtype):
            return "\(file): tensor \"\(tensor)\": unknown dtype \"\(dtype)\""
        case .invalidOffsets(let file, let tensor, let begin, let end, let problem):
            let detail: String
            switch problem {
            case .endBeforeBegin: detail = "ends before it begins"
            case .gap(let expected): detail = "leaves a gap: the previous tensor ends at \(expected)"
            case .overlap(let expected): detail = "overlaps the previous tensor, which ends at \(expected)"
            }
            return "\(file): tensor \"\(tensor)\": data_offsets [\(begin), \(end)] \(detail)"
        case .sizeOverflow(let file, let tensor, let shape):
            return "\(file): tensor \"\(tensor)\": the size of shape \(shape) overflows"
        case .misalignedPackedTensor(let file, let tensor, let dtype, let shape):
            return "\(file): tensor \"\(tensor)\": \(shape) elements of \(dtype.rawValue) do not fill whole bytes"
        case .byteCountMismatch(let file, let tensor, let dtype, let shape, let expected, let actual):
            return "\(file): tensor \"\(tensor)\": shape \(shape) of \(dtype.rawValue) needs \(expected) bytes, "
                + "but its data_offsets span \(actual)"
        case .dataSizeMismatch(let file, let covered, let dataSize):
            return "\(file): the tensors cover \(covered) bytes but the data section holds \(dataSize) "
                + "(truncated, or trailing bytes)"
        case .tensorNotFound(let file, let tensor):
            return "\(file): no tensor named \"\(tensor)\""
        case .unsupportedDType(let file, let tensor, let dtype):
            return "\(file): tensor \"\(tensor)\": \(dtype.rawValue) is not supported (only F32, F16, BF16 and F64 "
                + "can be loaded as Float32)"
        case .invalidIndex(let file, let reason):
            return "\(file): invalid shard index: \(reason)"
        case .missingShard(let index, let shard):
            return "\(index): shard \"\(shard)\" does not exist"
        case .tensorMissingFromShard(let index, let tensor, let shard):
            return "\(index): tensor \"\(tensor)\" is mapped to shard \"\(shard)\", which does not contain it"
        case .tensorInSeveralShards(let index, let tensor, let shards):
            return "\(index): tensor \"\(tensor)\" appears in several shards: \(shards.joined(separator: ", "))"
        case .noSafetensorsWeights(let directory):
            return "\(directory): no model.safetensors or model.safetensors.index.json"
        case .pickleWeightsOnly(let directory, let file):
            return "\(directory): only \(file) (pickled PyTorch weights) is present; SwiftViT never unpickles, "
                + "because unpickling can run arbitrary code. Convert to safetensors, e.g. in Python: "
                + "model.save_pretrained(path, safe_serialization=True)"
        }
    }

    /// The same message as ``description``.
    public var errorDescription: String? { description }
}
