#!/usr/bin/env python3
"""Measures how far SwiftViT's float32, bfloat16 and int8 compute, and ONNX Runtime's fp32 and int8, are from
transformers' float32 logits, on a few hundred varied images.

    python Benchmarks/fidelity/fidelity.py --model DIR [--count 400] [--seed 0] [--processor torchvision]
        [--vit-classify .build/release/vit-classify] [--output fidelity.json] [--markdown fidelity.md]

  1. writes --count PNGs (image_set.py: the fixture photos and seeded crops, flips, rotations, rescales,
     colour jitter) into --work-dir;
  2. transformers (the --processor backend's image processor, the model in float32) gives the reference
     pixel values and logits;
  3. ONNX Runtime runs the exported fp32 graph (Benchmarks/compare/export_onnx.py) and its
     `quantize_dynamic(weight_type=QInt8)` versions (per tensor, ORT's default, and per channel) on those
     same pixel values, one image per run;
  4. PyTorch re-implementations of bf16 and of four int8 granularities (reference.py) on the same pixels;
  5. `vit-classify --compute float32|bfloat16|int8 --processor <backend> --top-k <all labels>` on the PNG
     files (its pixel values equal the backend's exactly);
  6. per configuration: max, median and p99 |Δlogit| against the reference, top-1 agreement, top-5 set
     agreement; a JSON file with everything and a Markdown table.
"""

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import image_set  # noqa: E402
import metrics  # noqa: E402
import runners  # noqa: E402

SWIFT_COMPUTES = ["float32", "bfloat16", "int8"]
LABELS = {
    "swiftvit-float32": ("SwiftViT float32", "SwiftViT's default: exact to the checkpoint"),
    "swiftvit-bfloat16": ("SwiftViT bfloat16", "bf16 weights, activations rounded to bf16 per GEMM (attention's "
                                               "two products too), fp32 sums"),
    "swiftvit-int8": ("SwiftViT int8", "s8 weights per output channel, activations u8 per row (token) with a "
                                       "zero point, exact s32 sums; attention products bf16; patch embedding "
                                       "and classifier fp32"),
    "ort-fp32": ("ONNX Runtime fp32", "the legacy-exported graph, CPU provider, ORT_ENABLE_ALL"),
    "ort-int8": ("ONNX Runtime int8", "quantize_dynamic(weight_type=QInt8): s8 weights per tensor, u8 "
                                      "asymmetric activations per tensor (DynamicQuantizeLinear); the encoder "
                                      "projections, the patch embedding and the classifier (the attention "
                                      "products stay fp32)"),
    "ort-int8-per-channel": ("ONNX Runtime int8, per channel", "as above with per_channel=True"),
    "ort-int8-per-channel-reduce-range": ("ONNX Runtime int8, per channel, reduce_range",
                                          "as above with per_channel=True, reduce_range=True (7-bit weights)"),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a ViTForImageClassification folder")
    parser.add_argument("--name", help="the model's name in the report (default: the folder's name)")
    parser.add_argument("--count", type=int, default=400, help="images (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the image set (default: %(default)s)")
    parser.add_argument("--processor", choices=["torchvision", "pillow"], default="torchvision",
                        help="transformers image-processor backend, and vit-classify --processor "
                             "(default: %(default)s, SwiftViT's default)")
    parser.add_argument("--vit-classify", default=os.path.join(REPO, ".build", "release", "vit-classify"))
    parser.add_argument("--configurations", default="all",
                        help="comma-separated subset of: " + ", ".join(list(LABELS) + list(_simulations()))
                             + " (default: all)")
    parser.add_argument("--simulation-count", type=int,
                        help="run the PyTorch simulations on the first N images only (default: all)")
    parser.add_argument("--threads", type=int, default=2, help="threads for every system (default: 2)")
    parser.add_argument("--batch-size", type=int, default=8, help="transformers and vit-classify batch size")
    parser.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "swiftvit-fidelity"),
                        help="images and ONNX files go here (default: %(default)s)")
    parser.add_argument("--output", default="fidelity.json")
    parser.add_argument("--markdown", help="also write the Markdown table here")
    args = parser.parse_args(argv)
    args.model = os.path.abspath(args.model)
    args.name = args.name or os.path.basename(args.model.rstrip("/"))
    everything = list(LABELS) + list(_simulations())
    chosen = everything if args.configurations == "all" else [c.strip() for c in args.configurations.split(",")]
    unknown = [c for c in chosen if c not in everything]
    if unknown:
        parser.error(f"--configurations: unknown {unknown}")
    args.configurations = [c for c in everything if c in chosen]
    args.simulation_count = args.count if args.simulation_count is None else args.simulation_count
    if args.count < 1 or args.threads < 1 or args.batch_size < 1:
        parser.error("--count, --threads and --batch-size must be positive")
    return args


def _simulations():
    from reference import SIMULATIONS
    return SIMULATIONS


def log(message):
    print(message, file=sys.stderr, flush=True)


def model_work_dir(args):
    """Per checkpoint (path, size and time of its weights file), so a changed model is exported again."""
    weights = os.path.join(args.model, "model.safetensors")
    st = os.stat(weights if os.path.exists(weights) else args.model)
    key = f"{args.model}|{st.st_size}|{st.st_mtime_ns}"
    folder = os.path.basename(args.model.rstrip("/"))
    return os.path.join(args.work_dir, f"{folder}-{hashlib.sha256(key.encode()).hexdigest()[:12]}")


class Cache:
    """Logits already computed, per configuration and batch of images, so an interrupted run resumes.

    Keyed by the checkpoint (model_work_dir), the backend, the image set and the batch's position; a
    configuration's files are `<configuration>-<what>.npz` holding `logits` and `seconds`.
    """

    def __init__(self, args):
        self.folder = os.path.join(model_work_dir(args), f"logits-{args.processor}-seed{args.seed}-n{args.count}")
        os.makedirs(self.folder, exist_ok=True)

    def path(self, configuration, what):
        return os.path.join(self.folder, f"{configuration}-{what}.npz")

    def get(self, configuration, what):
        """(logits, seconds, notes) or None."""
        try:
            with np.load(self.path(configuration, what)) as stored:
                return stored["logits"], float(stored["seconds"]), [str(x) for x in stored["notes"]]
        except (OSError, KeyError, ValueError):
            return None

    def put(self, configuration, what, logits, seconds, notes=()):
        tmp = self.path(configuration, what) + ".partial.npz"
        np.savez(tmp, logits=logits, seconds=seconds, notes=np.array(list(notes), dtype=str))
        os.replace(tmp, self.path(configuration, what))


def ort_models(args, wanted):
    """{configuration: ONNX file} for the ONNX Runtime configurations, exported and quantised as needed."""
    fp32, report = runners.export_onnx(args.model, model_work_dir(args), args.threads)
    log(f"fidelity: ONNX {fp32} (ORT vs PyTorch on random inputs: {report['max_abs_diff']})")
    paths = {c: fp32 if c == "ort-fp32" else runners.quantize(fp32, c) for c in wanted}
    entries = {c: {"onnx": paths[c], "onnx_bytes": os.path.getsize(paths[c])} for c in wanted}
    if "ort-fp32" in entries:
        entries["ort-fp32"]["export_check_max_abs_diff"] = report["max_abs_diff"]
    return paths, entries


def python_side(args, files, image_dir, configurations):
    """Reference logits and every Python-run configuration's, batch by batch over the same pixel values.

    The simulations run on the first --simulation-count images only (they cost a PyTorch pass each).
    """
    import reference
    cache = Cache(args)  # the same folder main's Cache uses
    processor, model = reference.load(args.model, args.processor, args.threads)
    wanted_ort = [c for c in configurations if c.startswith("ort-")]
    paths, entries = ort_models(args, wanted_ort) if wanted_ort else ({}, {})
    sessions = {}
    simulations = [c for c in configurations if c.startswith("sim-")]
    out = {c: [] for c in ["reference"] + wanted_ort + simulations}
    seconds = {c: 0.0 for c in out}
    for start in range(0, len(files), args.batch_size):
        batch = files[start:start + args.batch_size]
        what = f"{start:05d}-{len(batch)}"
        todo = ["reference"] + wanted_ort + [c for c in simulations if start < args.simulation_count]
        pixels = None
        for c in todo:
            cached = cache.get(c, what)
            if cached is None:
                t = time.perf_counter()
                if pixels is None:
                    pixels = reference.pixel_values(processor, [os.path.join(image_dir, f) for f in batch])
                if c == "reference":
                    result = reference.logits(model, pixels)
                elif c.startswith("ort-"):
                    if c not in sessions:
                        sessions[c] = runners.ort_session(paths[c], args.threads)
                    result = runners.ort_logits(sessions[c], pixels.numpy())
                else:
                    with reference.simulating(model, c):
                        result = reference.logits(model, pixels)
                cached = (result, time.perf_counter() - t)
                cache.put(c, what, *cached)
            out[c].append(cached[0])
            seconds[c] += cached[1]
        log(f"fidelity: python side {start + len(batch)}/{len(files)} images"
            + (" (cached)" if pixels is None else ""))
    logits = {c: np.concatenate(v).astype(np.float64) for c, v in out.items() if v}
    for c in wanted_ort + simulations:
        entries.setdefault(c, {})["seconds"] = seconds[c]
    labels = {c: (f"PyTorch simulation: {c[4:]}", reference.SIMULATIONS[c][2]) for c in simulations}
    return logits, entries, seconds["reference"], labels


def versions():
    names = ("torch", "torchvision", "transformers", "onnxruntime", "onnx", "numpy", "pillow")
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def cpu():
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().splitlines()
        model = next(l.split(":", 1)[1].strip() for l in lines if l.startswith("model name"))
        flags = set(next(l.split(":", 1)[1].split() for l in lines if l.startswith("flags")))
        return {"model": model, "flags": [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni",
                                                        "amx_tile") if f in flags]}
    except (OSError, StopIteration):
        return {"model": platform.processor(), "flags": []}


def main(argv=None):
    args = parse_args(argv)
    with open(os.path.join(args.model, "config.json")) as f:
        config = json.load(f)
    labels = len(config.get("id2label", {})) or config.get("num_labels", 2)
    image_dir = os.path.join(args.work_dir, f"images-seed{args.seed}-n{args.count}")
    photos = os.path.join(REPO, "Fixtures", "images", "photos")
    if not os.path.exists(os.path.join(image_dir, "manifest.json")):
        log(f"fidelity: writing {args.count} images to {image_dir}")
        image_set.build(photos, image_dir, args.count, args.seed)
    with open(os.path.join(image_dir, "manifest.json")) as f:
        manifest = json.load(f)["images"]
    files = [entry["file"] for entry in manifest]

    started = time.time()
    cache = Cache(args)
    logits, entries, reference_seconds, extra_labels = python_side(args, files, image_dir, args.configurations)
    reference = logits.pop("reference")
    machine = cpu()
    for compute in SWIFT_COMPUTES:
        name = f"swiftvit-{compute}"
        if name not in args.configurations:
            continue
        st = os.stat(args.vit_classify) if os.path.exists(args.vit_classify) else None
        what = f"{st.st_size}-{st.st_mtime_ns}" if st else "missing"
        cached = cache.get(name, what)
        log(f"fidelity: vit-classify --compute {compute} on {len(files)} images"
            + (" (cached)" if cached else "..."))
        try:
            if cached is None:
                cached = runners.swiftvit_logits(args.vit_classify, args.model, image_dir, files, labels, compute,
                                                 args.processor, args.threads, args.batch_size)
                cache.put(name, what, *cached)
            logits[name], seconds, info = cached
            entries[name] = {"seconds": seconds, "kernels": info}
        except (runners.RunError, OSError, ValueError) as error:
            entries[name] = {"error": str(error)}
            log(f"fidelity: {error}")

    configurations = {}
    all_labels = dict(LABELS, **extra_labels)
    for name in args.configurations:
        entry = dict(entries.get(name, {}))
        entry["label"], entry["description"] = all_labels[name]
        if name in logits:
            entry["metrics"] = metrics.compare(logits[name], reference[:len(logits[name])])
        configurations[name] = entry
    results = {
        "schema": 1, "model": args.model, "model_name": args.name, "labels": labels,
        "settings": {"count": args.count, "seed": args.seed, "processor": args.processor,
                     "threads": args.threads, "batch_size": args.batch_size},
        "machine": machine, "versions": versions(), "duration_s": time.time() - started,
        "reference_seconds": reference_seconds, "reference_scale": metrics.reference_scale(reference),
        "configurations": configurations,
        "images": [{"file": e["file"], "source": e["source"], "steps": e["steps"]} for e in manifest],
    }
    results["markdown"] = metrics.markdown(results)
    with open(args.output, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(results["markdown"])
    sys.stdout.write(results["markdown"])
    failed = [name for name, entry in configurations.items() if "error" in entry]
    if failed:
        log(f"fidelity: failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
