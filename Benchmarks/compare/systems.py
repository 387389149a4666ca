"""The systems compare.py runs, and their names in reports and charts.

SwiftViT runs at each of its `--compute` precisions (vit-bench and vit-classify `--compute`), ONNX Runtime on
the exported fp32 graph and on its dynamic int8 quantisation (`quantize_dynamic(weight_type=QInt8)`).
"""

SWIFT, SWIFT_BF16, SWIFT_INT8 = "swiftvit", "swiftvit-bfloat16", "swiftvit-int8"
TORCH, ORT, ORT_INT8 = "pytorch", "onnxruntime", "onnxruntime-int8"
ALL_SYSTEMS = [SWIFT, SWIFT_BF16, SWIFT_INT8, TORCH, ORT, ORT_INT8]
SWIFT_SYSTEMS = [SWIFT, SWIFT_BF16, SWIFT_INT8]
ORT_SYSTEMS = [ORT, ORT_INT8]

NAMES = {SWIFT: "SwiftViT", SWIFT_BF16: "SwiftViT bfloat16", SWIFT_INT8: "SwiftViT int8",
         TORCH: "PyTorch + transformers", ORT: "ONNX Runtime", ORT_INT8: "ONNX Runtime int8"}
SHORT = {SWIFT: "SwiftViT", SWIFT_BF16: "SwiftViT\nbf16", SWIFT_INT8: "SwiftViT\nint8",
         TORCH: "PyTorch", ORT: "ONNX\nRuntime", ORT_INT8: "ONNX RT\nint8"}
COLORS = {SWIFT: "#F05138", SWIFT_BF16: "#F5896F", SWIFT_INT8: "#F9BCA9",
          TORCH: "#8C8C8C", ORT: "#5B7DB1", ORT_INT8: "#9DB3D6"}

# vit-bench / vit-classify --compute of each SwiftViT system
COMPUTE = {SWIFT: "float32", SWIFT_BF16: "bfloat16", SWIFT_INT8: "int8"}

# The Benchmarks/fidelity configuration measuring each system's logits (PyTorch is the reference itself).
FIDELITY = {SWIFT: "swiftvit-float32", SWIFT_BF16: "swiftvit-bfloat16", SWIFT_INT8: "swiftvit-int8",
            ORT: "ort-fp32", ORT_INT8: "ort-int8"}

# Ratios reported: each SwiftViT system against these, when both ran.
RATIO_BASELINES = {SWIFT: [ORT, ORT_INT8, TORCH], SWIFT_BF16: [ORT, ORT_INT8], SWIFT_INT8: [ORT, ORT_INT8]}
