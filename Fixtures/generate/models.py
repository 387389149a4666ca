"""Golden ViT models and the logits transformers gives for them (Tests/VisionTransformerTests,
Tests/SwiftViTTests), written under Fixtures/models/:

  tiny/f32, tiny/f16, tiny/bf16  one tiny ViT (width 48, 3 layers, 4 heads, 32 px, patch 8, 10 labels)
                                 saved by `save_pretrained` in each dtype from the same float32 weights
  vit-b16-1layer-f16             ViT-B/16 geometry (768 wide, 12 heads, MLP 3072, 224 px, patch 16,
                                 the 1000 ImageNet labels) with ONE encoder layer, stored in float16
  variant                        qkv_bias false, patch 32, 160 px, width 64, 2 heads, gelu_new,
                                 layer_norm_eps 1e-6, 7 labels, multi_label_classification, and a
                                 DeiT-style processor (shortest edge 182, bicubic, crop 160, ImageNet mean/std)

Each folder also holds
  references.safetensors  pixel_values [N, 3, H, W] from the Pillow-backend processor
                          (ViTImageProcessorPil / DeiTImageProcessorPil on transformers' load_image),
                          logits [N, labels] from that very folder loaded in float32 (eager attention),
                          pipeline_logits [N, labels]: what the default pipeline("image-classification",
                          model=folder) gives with torchvision installed (its torchvision-backend
                          ViTImageProcessor / DeiTImageProcessor, function_to_apply="none", all labels),
                          with dtype=float32 so that float16/bfloat16 files are computed in float32 too
  references.json         the images (relative to Fixtures/), the top-5 class indices per image, and
                          the pipeline's scores of those five (softmax, or sigmoid for multi-label); the
                          same under "pipeline" for pipeline_logits

With SWIFTVIT_FULL_MODEL_DIR set, also writes a full 12-layer ViT-B/16 (float32, seeded, ~346 MB) with the
same references there (never into Fixtures/), for the opt-in full-size test and for benchmarks.

Weights are transformers' seeded initialisation, except that the classifier gets a much larger spread
(std 0.5) and the CLS token / position embeddings non-trivial values, so that top-5 orders are decisive: the
script asserts consecutive top-5 logits differ by at least 1e-3 on every image.
"""
import copy
import json
import os
import pathlib
import shutil

import numpy as np
import torch
import transformers
from safetensors.torch import save_file
from transformers import (DeiTImageProcessorPil, ViTConfig, ViTForImageClassification, ViTImageProcessorPil,
                          pipeline)
from transformers.image_utils import load_image

IMAGES = [
    "images/photos/astronaut.jpg",
    "images/photos/chelsea.jpg",
    "images/photos/coffee.jpg",
    "images/photos/hubble_deep_field.jpg",
    "images/crafted/orientation-6.jpg",
    "images/crafted/png-interlaced-type6-8bit.png",
    "images/crafted/jpeg-gray.jpg",
]

VIT_PROCESSOR = {
    "do_normalize": True, "do_rescale": True, "do_resize": True,
    "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
    "image_processor_type": "ViTImageProcessor", "resample": 2, "rescale_factor": 0.00392156862745098,
}


def imagenet_labels() -> list[str]:
    return (pathlib.Path(__file__).parent / "imagenet_labels.txt").read_text().splitlines()


def build(config: ViTConfig, seed: int) -> ViTForImageClassification:
    torch.manual_seed(seed)
    model = ViTForImageClassification(config).eval()
    with torch.no_grad():
        model.vit.embeddings.cls_token.normal_(0, 0.5)
        model.vit.embeddings.position_embeddings.normal_(0, 0.1)
        model.classifier.weight.normal_(0, 0.5)
        model.classifier.bias.normal_(0, 0.1)
    return model


def processor_for(directory: pathlib.Path):
    settings = json.loads((directory / "preprocessor_config.json").read_text())
    kind = DeiTImageProcessorPil if settings.get("image_processor_type", "").startswith("DeiT") else ViTImageProcessorPil
    return kind.from_pretrained(directory)


def write_references(directory: pathlib.Path, fixtures: pathlib.Path, images: list[str] = IMAGES) -> None:
    model = ViTForImageClassification.from_pretrained(directory, dtype=torch.float32,
                                                      attn_implementation="eager").eval()
    processor = processor_for(directory)
    loaded = [load_image(str(fixtures / path)) for path in images]
    pixel_values = processor(loaded, return_tensors="pt")["pixel_values"].to(torch.float32).contiguous()
    with torch.inference_mode():
        logits = model(pixel_values).logits.to(torch.float32).contiguous()
    default_logits, processor_class = pipeline_logits(directory, fixtures, images)
    save_file({"pixel_values": pixel_values, "logits": logits, "pipeline_logits": default_logits},
              directory / "references.safetensors")
    multi_label = model.config.problem_type == "multi_label_classification" or model.config.num_labels == 1
    top5, top5_scores = top5_of(logits, multi_label, directory)
    pipeline_top5, pipeline_top5_scores = top5_of(default_logits, multi_label, directory)
    reference = {
        "images": images,
        "top5": top5,
        "top5_scores": top5_scores,
        "pipeline": {"image_processor": processor_class, "top5": pipeline_top5,
                     "top5_scores": pipeline_top5_scores,
                     "max_abs_logit_difference_from_pillow_backend": float((default_logits - logits).abs().max())},
        "score_function": "sigmoid" if multi_label else "softmax",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "note": "pixel_values: Pillow-backend processor on load_image(path); logits: this folder's weights "
                "loaded as float32, eager attention, inference mode",
    }
    (directory / "references.json").write_text(json.dumps(reference, indent=1) + "\n")


def pipeline_logits(directory: pathlib.Path, fixtures: pathlib.Path, images: list[str]):
    """The logits of pipeline("image-classification", model=directory) on each image file, and the name of
    the image processor class it picked (the torchvision backend, since torchvision is installed)."""
    classifier = pipeline("image-classification", model=str(directory), dtype=torch.float32)
    name = type(classifier.image_processor).__name__
    assert name in ("ViTImageProcessor", "DeiTImageProcessor"), f"the pipeline picked {name}"
    # The pipeline's own steps short of postprocess (whose output is keyed by label name, and ImageNet has
    # duplicate names): load_image + image processor, then the model under inference mode.
    rows = [classifier.forward(classifier.preprocess(str(fixtures / path)))["logits"][0] for path in images]
    return torch.stack(rows).to(torch.float32).contiguous(), name


def top5_of(logits: torch.Tensor, multi_label: bool, directory: pathlib.Path):
    scores = torch.sigmoid(logits) if multi_label else torch.softmax(logits, dim=-1)
    top5 = []
    for row in logits:
        # Stable descending order: ties keep the lower index first (as Python's sort in the pipeline).
        order = sorted(range(len(row)), key=lambda i: -float(row[i]))[:5]
        gaps = [float(row[a] - row[b]) for a, b in zip(order, order[1:])]
        assert min(gaps) >= 1e-3, f"{directory}: top-5 logits too close {gaps}"
        top5.append(order)
    return top5, [[float(scores[i, j]) for j in order] for i, order in enumerate(top5)]


def save(model: ViTForImageClassification, directory: pathlib.Path, dtype, processor: dict) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    # A copy, so that every dtype is rounded from the same float32 weights (not F16 then BF16).
    copy.deepcopy(model).to(dtype).save_pretrained(directory)
    (directory / "preprocessor_config.json").write_text(json.dumps(processor, indent=2, sort_keys=True) + "\n")


def vit_b16(layers: int) -> ViTConfig:
    labels = imagenet_labels()
    return ViTConfig(num_hidden_layers=layers, num_labels=len(labels),
                     id2label={i: name for i, name in enumerate(labels)},
                     label2id={name: i for i, name in enumerate(labels)})


def main(fixtures: pathlib.Path) -> None:
    out = fixtures / "models"
    tiny = build(ViTConfig(hidden_size=48, num_hidden_layers=3, num_attention_heads=4, intermediate_size=96,
                           image_size=32, patch_size=8, num_labels=10,
                           id2label={i: f"tiny class {i}" for i in range(10)},
                           label2id={f"tiny class {i}": i for i in range(10)}), seed=1)
    tiny_processor = dict(VIT_PROCESSOR, size={"height": 32, "width": 32})
    for name, dtype in [("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16)]:
        save(tiny, out / "tiny" / name, dtype, tiny_processor)
        write_references(out / "tiny" / name, fixtures)

    base = build(vit_b16(layers=1), seed=2)
    save(base, out / "vit-b16-1layer-f16", torch.float16, dict(VIT_PROCESSOR, size={"height": 224, "width": 224}))
    # Four images only: each 224² reference costs 600 KB of pixel values.
    write_references(out / "vit-b16-1layer-f16", fixtures, IMAGES[:3] + ["images/crafted/orientation-6.jpg"])

    labels = ["sky", "water", "animal", "person", "food", "text", "night"]
    variant = build(ViTConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=160,
                              hidden_act="gelu_new", layer_norm_eps=1e-6, image_size=160, patch_size=32,
                              qkv_bias=False, num_labels=7, problem_type="multi_label_classification",
                              id2label=dict(enumerate(labels)), label2id={n: i for i, n in enumerate(labels)}),
                    seed=3)
    deit_processor = {
        "crop_size": {"height": 160, "width": 160}, "do_center_crop": True, "do_normalize": True,
        "do_rescale": True, "do_resize": True, "image_mean": [0.485, 0.456, 0.406],
        "image_std": [0.229, 0.224, 0.225], "image_processor_type": "DeiTImageProcessor", "resample": 3,
        "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": 182},
    }
    save(variant, out / "variant", torch.float32, deit_processor)
    write_references(out / "variant", fixtures)

    full = os.environ.get("SWIFTVIT_FULL_MODEL_DIR")
    if full:
        model = build(vit_b16(layers=12), seed=4)
        save(model, pathlib.Path(full), torch.float32, dict(VIT_PROCESSOR, size={"height": 224, "width": 224}))
        write_references(pathlib.Path(full), fixtures)
