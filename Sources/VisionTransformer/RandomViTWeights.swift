import Tensors
import Checkpoints

/// A complete set of `ViTForImageClassification` weights with seeded pseudo-random values, held
/// in memory: for benchmarks (speed does not depend on the values) and tests, without a
/// checkpoint file.
///
/// Values follow transformers' initialisation in spirit: linear and embedding weights uniform
/// with standard deviation `initializerRange`, LayerNorm scales near 1, small biases.
public struct RandomViTWeights: NamedTensors {
    /// The tensors by checkpoint name.
    public let tensors: [String: Tensor]
    /// The names, in the order a checkpoint would list them.
    public let tensorNames: [String]

    /// Builds weights for `configuration`.
    public init(configuration: ViTConfiguration, seed: UInt64 = 0, initializerRange: Float = 0.02) {
        let d = configuration.hiddenSize, i = configuration.intermediateSize
        let p = configuration.patchSize, c = configuration.numChannels
        let tokens = configuration.sequenceLength
        var generator = SplitMix64(seed: seed)
        var tensors: [String: Tensor] = [:]
        var names: [String] = []
        func add(_ name: String, _ shape: [Int], center: Float = 0, spread: Float = initializerRange) {
            let tensor = Tensor(zeros: shape)
            // Uniform on [−√3·s, √3·s] has standard deviation s.
            let halfWidth = spread * Float(3).squareRoot()
            let values = tensor.mutablePointer
            for index in 0..<tensor.count {
                values[index] = center + halfWidth * (2 * generator.nextUnitFloat() - 1)
            }
            tensors[name] = tensor
            names.append(name)
        }
        add("vit.embeddings.cls_token", [1, 1, d])
        add("vit.embeddings.position_embeddings", [1, tokens, d])
        add("vit.embeddings.patch_embeddings.projection.weight", [d, c, p, p])
        add("vit.embeddings.patch_embeddings.projection.bias", [d])
        for layer in 0..<configuration.numHiddenLayers {
            let prefix = "vit.encoder.layer.\(layer)"
            for projection in ["query", "key", "value"] {
                add("\(prefix).attention.attention.\(projection).weight", [d, d])
                if configuration.qkvBias { add("\(prefix).attention.attention.\(projection).bias", [d]) }
            }
            add("\(prefix).attention.output.dense.weight", [d, d])
            add("\(prefix).attention.output.dense.bias", [d])
            add("\(prefix).intermediate.dense.weight", [i, d])
            add("\(prefix).intermediate.dense.bias", [i])
            add("\(prefix).output.dense.weight", [d, i])
            add("\(prefix).output.dense.bias", [d])
            for norm in ["layernorm_before", "layernorm_after"] {
                add("\(prefix).\(norm).weight", [d], center: 1, spread: 0.1)
                add("\(prefix).\(norm).bias", [d])
            }
        }
        add("vit.layernorm.weight", [d], center: 1, spread: 0.1)
        add("vit.layernorm.bias", [d])
        add("classifier.weight", [configuration.numLabels, d], spread: 0.2)
        add("classifier.bias", [configuration.numLabels])
        self.tensors = tensors
        tensorNames = names
    }

    /// The tensors `tensors` without copying them, e.g. a modified set for tests.
    public init(tensors: [String: Tensor]) {
        self.tensors = tensors
        tensorNames = tensors.keys.sorted()
    }

    /// The shape of the tensor called `name`, or `nil`.
    public func shape(of name: String) -> [Int]? { tensors[name]?.shape }

    /// The tensor called `name`; throws `SafetensorsError.tensorNotFound` if there is none.
    public func tensor(named name: String) throws -> Tensor {
        guard let tensor = tensors[name] else {
            throw SafetensorsError.tensorNotFound(file: "random weights", tensor: name)
        }
        return tensor
    }
}

/// A small, fast, seedable generator (SplitMix64), so random weights are the same on every run.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 random bits.
    mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }
}
