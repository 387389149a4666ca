"""Whole-process reference, ONNX Runtime side: a lean deployment that labels one image.

    python classify_ort.py --onnx FILE --model DIR --threads 2 IMAGE

Imports only onnxruntime, numpy and Pillow. Preprocessing follows transformers' Pillow image processor for ViT
(`ViTImageProcessorPil`, driven by DIR/preprocessor_config.json): EXIF transpose, convert("RGB"), resize with
the configured filter (BILINEAR by default), optional center crop, rescale in float64 then cast to float32,
normalise, channels first. Post-processing: softmax (sigmoid for multi-label or single-label configs), top-k
with DIR/config.json's id2label. compare.py times this from spawn to exit and reads its peak RSS.
Prints one JSON line: {"image", "predictions": [{"label", "score"}, ...]}.
"""

import argparse
import json
import os

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps


def size_pair(size, height, width):
    """The (height, width) to resize to, from a processor `size` (int, {height,width} or {shortest_edge})."""
    if isinstance(size, int):
        return size, size
    if "height" in size and "width" in size:
        return size["height"], size["width"]
    if "shortest_edge" in size:
        short, long = (height, width) if height <= width else (width, height)
        new_short = size["shortest_edge"]
        new_long = int(new_short * long / short)
        return (new_short, new_long) if height <= width else (new_long, new_short)
    raise ValueError(f"unsupported processor size {size!r}")


def preprocess(path, config):
    image = ImageOps.exif_transpose(Image.open(path))
    image = image.convert("RGB")
    if config.get("do_resize", True):
        height, width = size_pair(config.get("size", {"height": 224, "width": 224}), image.height, image.width)
        image = image.resize((width, height), resample=Image.Resampling(config.get("resample", 2)))
    if config.get("do_center_crop", False):
        crop = config.get("crop_size", 224)
        crop_h, crop_w = (crop, crop) if isinstance(crop, int) else (crop["height"], crop["width"])
        top, left = (image.height - crop_h) // 2, (image.width - crop_w) // 2
        image = image.crop((left, top, left + crop_w, top + crop_h))
    pixels = np.asarray(image)
    if config.get("do_rescale", True):
        pixels = (pixels.astype(np.float64) * config.get("rescale_factor", 1 / 255)).astype(np.float32)
    else:
        pixels = pixels.astype(np.float32)
    if config.get("do_normalize", True):
        mean = np.asarray(config.get("image_mean", [0.5, 0.5, 0.5]), dtype=np.float32)
        std = np.asarray(config.get("image_std", [0.5, 0.5, 0.5]), dtype=np.float32)
        pixels = (pixels - mean) / std
    return np.ascontiguousarray(pixels.transpose(2, 0, 1)[None])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onnx", required=True)
    parser.add_argument("--model", required=True, help="checkpoint folder: config.json, preprocessor_config.json")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("image")
    args = parser.parse_args()

    with open(os.path.join(args.model, "config.json")) as f:
        model_config = json.load(f)
    with open(os.path.join(args.model, "preprocessor_config.json")) as f:
        processor_config = json.load(f)

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])

    (logits,) = session.run(["logits"], {"pixel_values": preprocess(args.image, processor_config)})
    logits = logits[0].astype(np.float64)
    labels = model_config.get("id2label", {})
    if model_config.get("problem_type") == "multi_label_classification" or logits.shape[0] == 1:
        scores = 1 / (1 + np.exp(-logits))
    else:
        scores = np.exp(logits - logits.max())
        scores /= scores.sum()
    top = np.argsort(-scores, kind="stable")[: min(args.top_k, scores.shape[0])]
    predictions = [{"label": labels.get(str(i), f"LABEL_{i}"), "score": float(scores[i])} for i in top]
    print(json.dumps({"image": args.image, "predictions": predictions}))


if __name__ == "__main__":
    main()
