"""Exports a Hugging Face ViTForImageClassification checkpoint to ONNX and checks ONNX Runtime against PyTorch.

    python export_onnx.py --model DIR --output FILE.onnx [--exporter dynamo|legacy] [--opset 18] [--threads 2]
                          [--int8 FILE-int8.onnx]

The graph takes `pixel_values` [batch, 3, H, W] (float32, batch axis dynamic) and returns `logits` [batch, labels].
The check runs the exported file in ONNX Runtime (the same session options the benchmark uses) and the PyTorch
model on one seeded random input at two batch sizes different from the one the export traced with, and prints
the largest absolute logit difference. If FILE.onnx already exists it is not exported again, only checked.
With --int8, also writes (unless it exists) ONNX Runtime's dynamic quantisation of it,
`quantize_dynamic(FILE.onnx, FILE-int8.onnx, weight_type=QuantType.QInt8)` with ORT's defaults, and reports
its difference from PyTorch the same way (quantisation error, so not a check).
Prints one JSON object on stdout: {"onnx", "exported", "export_s", "exporter", "opset", "max_abs_diff": {batch: Δ},
"int8": {"onnx", "quantized", "quantize_s", "max_abs_diff"} or null}.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from transformers import ViTForImageClassification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_worker import ort_session, pixels  # noqa: E402


class LogitsOnly(torch.nn.Module):
    """Wraps the HF model so the graph has one tensor in and one tensor out."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model(pixel_values=pixel_values).logits


def export(model, output, exporter, opset):
    image_size = model.config.image_size
    example = (torch.from_numpy(pixels(2, image_size, seed=1)),)
    wrapped = LogitsOnly(model).eval()
    tmp = output + ".partial"
    if exporter == "dynamo":
        batch = torch.export.Dim("batch", min=1, max=1024)
        torch.onnx.export(wrapped, example, tmp, input_names=["pixel_values"], output_names=["logits"],
                          dynamic_shapes={"pixel_values": {0: batch}}, opset_version=opset,
                          dynamo=True, external_data=False, optimize=True)
    else:
        torch.onnx.export(wrapped, example, tmp, input_names=["pixel_values"], output_names=["logits"],
                          dynamic_axes={"pixel_values": {0: "batch"}, "logits": {0: "batch"}},
                          opset_version=opset, dynamo=False, do_constant_folding=True)
    os.replace(tmp, output)


def quantize(source, output):
    """ORT's dynamic int8 quantisation with its defaults (s8 weights per tensor, u8 activations per tensor)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    tmp = output + ".partial"
    quantize_dynamic(source, tmp, weight_type=QuantType.QInt8)
    os.replace(tmp, output)


def differences(session, model):
    """max |logits(ORT) - logits(PyTorch)| at batch 1 and 3 on seeded random pixel values."""
    diffs = {}
    for batch_size in (1, 3):
        x = pixels(batch_size, model.config.image_size, seed=2)
        (ort_logits,) = session.run(["logits"], {"pixel_values": x})
        with torch.inference_mode():
            torch_logits = model(pixel_values=torch.from_numpy(x)).logits.numpy()
        if ort_logits.shape != torch_logits.shape:
            sys.exit(f"export_onnx: shape mismatch at batch {batch_size}: "
                     f"ORT {ort_logits.shape} vs PyTorch {torch_logits.shape}")
        diffs[str(batch_size)] = float(np.abs(ort_logits - torch_logits).max())
    return diffs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--exporter", choices=["dynamo", "legacy"], default="dynamo")
    parser.add_argument("--opset", type=int, default=18)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--int8", help="also write the dynamically quantised int8 model here")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    model = ViTForImageClassification.from_pretrained(args.model, dtype=torch.float32).eval()
    exported = not os.path.exists(args.output)
    export_s = None
    if exported:
        start = time.perf_counter()
        with torch.inference_mode(False):
            export(model, args.output, args.exporter, args.opset)
        export_s = time.perf_counter() - start

    diffs = differences(ort_session(args.output, args.threads), model)
    int8 = None
    if args.int8:
        quantized = not os.path.exists(args.int8)
        start = time.perf_counter()
        if quantized:
            quantize(args.output, args.int8)
        int8 = {"onnx": args.int8, "quantized": quantized,
                "quantize_s": time.perf_counter() - start if quantized else None,
                "max_abs_diff": differences(ort_session(args.int8, args.threads), model)}
    json.dump({"onnx": args.output, "exported": exported, "export_s": export_s, "exporter": args.exporter,
               "opset": args.opset, "max_abs_diff": diffs, "int8": int8}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
