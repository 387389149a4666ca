import Foundation

/// The steps of a forward pass that ``StageProfile`` times separately.
public enum ForwardStage: Int, CaseIterable, Sendable {
    /// Patch extraction, the patch-projection GEMM, CLS token and position embeddings.
    case patchEmbedding
    /// The Q, K and V projections.
    case qkv
    /// Scores, softmax and the weighted sum of values, over all heads.
    case attention
    /// The attention output projection.
    case outputProjection
    /// The two MLP GEMMs.
    case mlp
    /// The MLP's bias + activation pass.
    case activation
    /// LayerNorms, with the residual additions fused into them.
    case layerNorm
    /// The final LayerNorm's classifier GEMM on the CLS tokens.
    case head

    /// The name used in benchmark reports (`stages_ms`).
    public var name: String {
        switch self {
        case .patchEmbedding: "patch_embedding"
        case .qkv: "qkv"
        case .attention: "attention"
        case .outputProjection: "out_proj"
        case .mlp: "mlp"
        case .activation: "activation"
        case .layerNorm: "layernorm"
        case .head: "head"
        }
    }
}

/// Accumulates wall time per ``ForwardStage`` over forward passes (for `vit-bench`).
///
/// Timing adds two clock reads per stage and layer (a few hundred nanoseconds per image), so a
/// forward pass only records when it is given a profile.
public final class StageProfile {
    private var totals: [UInt64]
    /// How many forward passes were recorded.
    public private(set) var passes = 0

    /// An empty profile.
    public init() {
        totals = Array(repeating: 0, count: ForwardStage.allCases.count)
    }

    /// Total seconds spent in `stage` over all recorded passes.
    public func seconds(in stage: ForwardStage) -> Double { Double(totals[stage.rawValue]) / 1e9 }

    /// Forgets everything recorded so far.
    public func reset() {
        for index in totals.indices { totals[index] = 0 }
        passes = 0
    }

    func finishPass() { passes += 1 }

    @inline(__always)
    func measure<Result>(_ stage: ForwardStage, _ body: () throws -> Result) rethrows -> Result {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { totals[stage.rawValue] &+= DispatchTime.now().uptimeNanoseconds &- start }
        return try body()
    }
}

extension Optional where Wrapped == StageProfile {
    /// Runs `body`, timing it when there is a profile.
    @inline(__always)
    func measure<Result>(_ stage: ForwardStage, _ body: () throws -> Result) rethrows -> Result {
        switch self {
        case .some(let profile): try profile.measure(stage, body)
        case .none: try body()
        }
    }
}
