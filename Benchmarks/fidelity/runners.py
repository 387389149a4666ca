"""The systems under test: SwiftViT's `vit-classify` at each `--compute`, and ONNX Runtime fp32 / int8."""

import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(os.path.dirname(HERE), "compare")


class RunError(Exception):
    """A system could not produce logits; the message names the command and what went wrong."""


def swiftvit_logits(vit_classify, model_dir, image_dir, files, labels, compute, processor, threads, batch):
    """Every logit of every image from `vit-classify --format jsonl --top-k <labels>`, as [images, labels].

    vit-classify decodes and preprocesses the PNG files itself; its pixel values equal the chosen
    transformers backend's exactly (Documentation/Fidelity.md), so it sees the reference's pixels.
    Returns (logits, seconds, stderr's informational lines).
    """
    command = [vit_classify, "--model", model_dir, "--compute", compute, "--processor", processor,
               "--format", "jsonl", "--top-k", str(labels), "--threads", str(threads),
               "--batch-size", str(batch)] + [os.path.join(image_dir, name) for name in files]
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        tail = run.stderr.strip().splitlines()[-1:] or ["no message"]
        raise RunError(f"vit-classify --compute {compute} exited {run.returncode}: {tail[0][:300]}")
    by_name = {}
    for line in run.stdout.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if "error" in record:
            raise RunError(f"vit-classify --compute {compute}: {record['path']}: {record['error']}")
        row = np.full(labels, np.nan, dtype=np.float64)
        for prediction in record["predictions"]:
            row[prediction["index"]] = np.nan if prediction["logit"] is None else prediction["logit"]
        by_name[os.path.basename(record["path"])] = row
    missing = [name for name in files if name not in by_name]
    if missing:
        raise RunError(f"vit-classify --compute {compute}: no record for {len(missing)} image(s), e.g. {missing[0]}")
    result = np.stack([by_name[name] for name in files])
    if np.isnan(result).any():
        raise RunError(f"vit-classify --compute {compute}: missing or non-finite logits "
                       f"(--top-k {labels} should list every label)")
    info = [line for line in run.stderr.splitlines() if line.startswith("vit-classify:")]
    return result, seconds, info


def export_onnx(model_dir, work_dir, threads):
    """The fp32 ONNX file made by Benchmarks/compare/export_onnx.py (legacy exporter, as compare.py's default).

    Returns (path, export report); the report holds ORT's max |Δ logits| from PyTorch on random inputs.
    """
    os.makedirs(work_dir, exist_ok=True)
    path = os.path.join(work_dir, "model-fp32.onnx")
    run = subprocess.run([sys.executable, os.path.join(COMPARE, "export_onnx.py"), "--model", model_dir,
                          "--output", path, "--exporter", "legacy", "--threads", str(threads)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RunError(f"export_onnx.py --model {model_dir} exited {run.returncode}: {run.stderr[-1500:]}")
    return path, json.loads(run.stdout.strip().splitlines()[-1])


# configuration -> quantize_dynamic's (per_channel, reduce_range)
QUANTIZATIONS = {"ort-int8": (False, False), "ort-int8-per-channel": (True, False),
                 "ort-int8-per-channel-reduce-range": (True, True)}


def quantize(fp32_path, configuration):
    """ONNX Runtime's dynamic quantisation of the fp32 file, `quantize_dynamic(weight_type=QInt8, ...)`.

    Its defaults, as seen in the quantised ViT graphs: every MatMul with a constant weight (the 6 projections
    of each layer) becomes MatMulInteger, and so do the classifier (Gemm) and the patch embedding (Conv →
    ConvInteger); the attention products (two activations) stay fp32. Weights are s8, per tensor unless
    per_channel; activations are quantised at run time (DynamicQuantizeLinear) to u8, asymmetric, one scale
    and zero point per tensor (the whole batch). reduce_range keeps the
    weights to 7 bits, which ORT's documentation advises on CPUs without VNNI (where its u8×s8 kernels add
    pairs of products in saturating 16-bit lanes), "especially for per-channel mode".
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic
    per_channel, reduce_range = QUANTIZATIONS[configuration]
    path = fp32_path.replace("-fp32.onnx", f"-{configuration[4:]}.onnx")
    if not os.path.exists(path):
        quantize_dynamic(fp32_path, path + ".partial", weight_type=QuantType.QInt8, per_channel=per_channel,
                         reduce_range=reduce_range)
        os.replace(path + ".partial", path)
    return path


def ort_session(path, threads):
    sys.path.insert(0, COMPARE)
    from bench_worker import ort_session as make  # the benchmark's session options
    return make(path, threads)


def ort_logits(session, pixels):
    """Logits of [batch, 3, H, W] pixel values, one image per run: ORT's dynamic activation quantisation is
    per tensor, so a batch would make an image's result depend on the images beside it."""
    rows = [session.run(["logits"], {"pixel_values": pixels[i:i + 1]})[0][0] for i in range(pixels.shape[0])]
    return np.stack(rows).astype(np.float64)
