"""The systems compare.py runs, and their names in reports and charts."""

SWIFT, TORCH, ORT = "swiftvit", "pytorch", "onnxruntime"
ALL_SYSTEMS = [SWIFT, TORCH, ORT]
NAMES = {SWIFT: "SwiftViT", TORCH: "PyTorch + transformers", ORT: "ONNX Runtime"}
