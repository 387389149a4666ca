/// The element-wise activation functions a transformer MLP uses, named as Hugging Face configs
/// name them (`hidden_act`).
public enum Activation: String, Sendable, CaseIterable, Codable {
    /// GELU in its exact form, `x · Φ(x) = 0.5 · x · (1 + erf(x / √2))`. HF `"gelu"`.
    case gelu
    /// GELU's tanh approximation, `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`.
    /// HF `"gelu_new"`, `"gelu_pytorch_tanh"` and `"gelu_fast"` (the same function).
    case geluTanh
    /// `max(x, 0)`. HF `"relu"`.
    case relu
    /// `x · sigmoid(x)`. HF `"silu"` and `"swish"`.
    case silu
    /// `x · sigmoid(1.702 · x)`, as in CLIP. HF `"quick_gelu"`.
    case quickGelu

    /// The activation a Hugging Face `hidden_act` string names, or `nil` if it is not supported.
    public init?(huggingFaceName name: String) {
        switch name {
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": self = .geluTanh
        case "relu": self = .relu
        case "silu", "swish": self = .silu
        case "quick_gelu": self = .quickGelu
        default: return nil
        }
    }

    /// The `hidden_act` names that ``init(huggingFaceName:)`` accepts.
    public static let supportedHuggingFaceNames = [
        "gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu", "silu", "swish", "quick_gelu",
    ]
}
