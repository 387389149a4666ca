#!/usr/bin/env python3
"""Compares SwiftViT with PyTorch + transformers and ONNX Runtime on one ViT checkpoint, on this machine.

    python Benchmarks/compare/compare.py --model DIR [--rounds 5] [--iterations 5] [--output results.json]

What it does, in order:
  1. exports DIR to ONNX (cached in --work-dir) and checks ONNX Runtime's logits against PyTorch's;
  2. throughput rounds: in each round every system runs once, in a fresh process of its own, warmup then
     --iterations forward passes per batch size; a round's number is the median of its iterations, and the
     final number is the median of the round medians. The order of the systems rotates from round to round
     (ABC, BCA, CAB, ...) so slow phases of a noisy machine are spread over all of them;
  3. whole-process rounds: a fresh process loads the model and labels one image; wall time from spawn to exit
     and the peak RSS from os.wait4's rusage, median over rounds, order rotating the same way;
  4. prints a Markdown report (table, ratios, machine) and writes every raw number to --output.

SwiftViT runs through its own binaries (`vit-bench`, `vit-classify` in .build/release); when they are not
built, or fail, their rows say so and everything else still runs.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

from machine import machine_description, package_version
from measure import failure_reason, is_executable, parse_json_object, run_measured, top1_label, wait_for_quiet
from report import markdown
from summary import ratios, summarise_process, summarise_throughput
from systems import ALL_SYSTEMS, COMPUTE, FIDELITY, NAMES, ORT, ORT_INT8, ORT_SYSTEMS, SWIFT_SYSTEMS, TORCH

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


# ----------------------------------------------------------------------------------------------------------
# Model facts


def model_flops_per_image(config):
    """Multiply-adds × 2 of the GEMMs and attention matmuls of one ViT forward pass (LN, GELU, softmax not counted)."""
    d = config.get("hidden_size", 768)
    ffn = config.get("intermediate_size", 3072)
    layers = config.get("num_hidden_layers", 12)
    image = config.get("image_size", 224)
    patch = config.get("patch_size", 16)
    channels = config.get("num_channels", 3)
    labels = len(config.get("id2label", {})) or config.get("num_labels", 2)
    patches = (image // patch) ** 2
    n = patches + 1
    per_layer = 2 * n * d * (3 * d) + 2 * n * d * d + 2 * 2 * n * d * ffn + 2 * 2 * n * n * d
    return 2 * patches * (channels * patch * patch) * d + layers * per_layer + 2 * d * labels



# ----------------------------------------------------------------------------------------------------------
# The runs


def worker_env(threads):
    env = dict(os.environ)
    env.update({
        "OMP_NUM_THREADS": str(threads),
        "HF_HUB_OFFLINE": "1",            # a local folder: never wait on the network
        "TRANSFORMERS_VERBOSITY": "error",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONWARNINGS": "ignore",
    })
    return env


def rotated(systems, round_index):
    k = round_index % len(systems)
    return systems[k:] + systems[:k]


def compute_option(system):
    """vit-bench / vit-classify's `--compute` for a SwiftViT system; none for float32 (the default), so the
    float32 commands stay exactly what they were."""
    return [] if COMPUTE[system] == "float32" else ["--compute", COMPUTE[system]]


def throughput_command(system, args, onnx_paths):
    batches = [x for b in args.batch_size for x in ("--batch-size", str(b))]
    common = ["--threads", str(args.threads), "--iterations", str(args.iterations), "--warmup", str(args.warmup)]
    if system in SWIFT_SYSTEMS:
        return [args.vit_bench, "--model", args.model] + batches + common + ["--format", "json"] \
            + compute_option(system)
    worker = os.path.join(HERE, "bench_worker.py")
    if system == TORCH:
        return [sys.executable, worker, TORCH, "--model", args.model] + batches + common
    return [sys.executable, worker, ORT, "--onnx", onnx_paths[system]] + batches + common


def process_command(system, args, onnx_paths):
    if system in SWIFT_SYSTEMS:
        return [args.vit_classify, "--model", args.model, "--format", "jsonl"] + compute_option(system) \
            + [args.image]
    if system == TORCH:
        return [sys.executable, os.path.join(HERE, "classify_transformers.py"), "--model", args.model,
                "--threads", str(args.threads), args.image]
    return [sys.executable, os.path.join(HERE, "classify_ort.py"), "--onnx", onnx_paths[system],
            "--model", args.model, "--threads", str(args.threads), args.image]


def log(message):
    print(message, file=sys.stderr, flush=True)


def export_onnx(args, int8):
    """Exports (or reuses) the ONNX file, with int8 also its dynamic quantisation, and checks them against
    PyTorch; returns the export report or raises SystemExit (only the fp32 file is held to --tolerance)."""
    os.makedirs(args.work_dir, exist_ok=True)
    st = os.stat(os.path.join(args.model, "model.safetensors")) \
        if os.path.exists(os.path.join(args.model, "model.safetensors")) else os.stat(args.model)
    key = f"{os.path.abspath(args.model)}|{st.st_size}|{st.st_mtime_ns}|{args.exporter}|{args.opset}|" \
          f"{package_version('torch')}|{package_version('transformers')}|{package_version('onnxruntime')}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    onnx_path = os.path.join(args.work_dir, f"vit-{args.exporter}-opset{args.opset}-{digest}.onnx")
    int8_option = ["--int8", onnx_path.replace(".onnx", "-int8.onnx")] if int8 else []
    log(f"ONNX: {'reusing' if os.path.exists(onnx_path) else 'exporting to'} {onnx_path} "
        f"({args.exporter} exporter, opset {args.opset}{', and its int8 quantisation' if int8 else ''}), "
        f"then checking ONNX Runtime against PyTorch...")
    run = run_measured([sys.executable, os.path.join(HERE, "export_onnx.py"), "--model", args.model,
                        "--output", onnx_path, "--exporter", args.exporter, "--opset", str(args.opset),
                        "--threads", str(args.threads)] + int8_option,
                       env=worker_env(args.threads), timeout=args.timeout)
    if run["returncode"] != 0:
        sys.stderr.write(run["stderr"][-4000:])
        raise SystemExit(f"compare: ONNX export/check failed ({failure_reason(run)})")
    report = parse_json_object(run["stdout"])
    worst = max(report["max_abs_diff"].values())
    log(f"ONNX: max |logits(ORT) - logits(PyTorch)| = {worst:.3g} "
        f"({', '.join(f'batch {b}: {d:.3g}' for b, d in report['max_abs_diff'].items())})")
    if report.get("int8"):
        log(f"ONNX int8: max |logits(ORT int8) - logits(PyTorch)| = "
            f"{max(report['int8']['max_abs_diff'].values()):.3g} on random inputs (quantisation, not checked)")
    if worst > args.tolerance:
        raise SystemExit(f"compare: ONNX Runtime disagrees with PyTorch by {worst:.3g} > {args.tolerance}")
    return report


def load_fidelity(args):
    """Each system's fidelity (Benchmarks/fidelity) for the report and the chart, or None.

    From --fidelity FILE (a fidelity.py --output of this very model), or measured now on --fidelity-count
    images when that is given. Returns {"source", "images", "systems": {system: metrics}}.
    """
    path = args.fidelity
    if args.fidelity_count:
        path = os.path.join(args.work_dir, f"fidelity-{os.path.basename(args.model)}-n{args.fidelity_count}.json")
        wanted = [FIDELITY[s] for s in args.systems if s in FIDELITY]
        log(f"fidelity: {', '.join(wanted)} on {args.fidelity_count} images (Benchmarks/fidelity/fidelity.py)...")
        run = run_measured([sys.executable, os.path.join(REPO, "Benchmarks", "fidelity", "fidelity.py"),
                            "--model", args.model, "--count", str(args.fidelity_count), "--threads",
                            str(args.threads), "--vit-classify", args.vit_classify, "--configurations",
                            ",".join(wanted), "--work-dir", os.path.join(args.work_dir, "fidelity"),
                            "--output", path], env=worker_env(args.threads), timeout=args.timeout)
        if run["returncode"] != 0:
            log(f"fidelity: failed ({failure_reason(run)}); the report and chart go without it")
            if not os.path.exists(path):
                return None
    if not path:
        return None
    with open(path) as f:
        measured = json.load(f)
    if os.path.realpath(measured["model"]) != os.path.realpath(args.model):
        raise SystemExit(f"compare: --fidelity {path} measured {measured['model']}, not --model {args.model}")
    systems = {}
    for system, configuration in FIDELITY.items():
        entry = measured["configurations"].get(configuration, {})
        if "metrics" in entry:
            keep = ("max_abs", "median_abs", "p99_abs", "top1_agree", "top5_set_agree", "images")
            systems[system] = {k: entry["metrics"][k] for k in keep}
    return {"source": path, "images": measured["settings"]["count"], "processor": measured["settings"]["processor"],
            "systems": systems}


def binary_status(system, args):
    path = args.vit_bench if system == "bench" else args.vit_classify
    if is_executable(path):
        return None
    product = "vit-bench" if system == "bench" else "vit-classify"
    return f"not built ({path} missing; `swift build -c release --product {product}`)"


def throughput_rounds(args, systems, onnx_paths):
    raw = {s: [] for s in systems}
    status = {s: None for s in systems}
    for system in SWIFT_SYSTEMS:
        if system in systems:
            status[system] = binary_status("bench", args)
    for r in range(args.rounds):
        for system in rotated(systems, r):
            if status[system] is not None:
                continue
            load_before = wait_for_quiet(args)
            run = run_measured(throughput_command(system, args, onnx_paths), env=worker_env(args.threads)
                               if system not in SWIFT_SYSTEMS else None, timeout=args.timeout)
            entry = {"round": r, "wall_s": run["wall_s"], "peak_rss_mb": run["peak_rss_mb"],
                     "background_cores": run.get("background_cores"), "background_cores_before": load_before}
            if run["returncode"] != 0:
                status[system] = f"failed: {failure_reason(run)}"
                log(f"round {r + 1}/{args.rounds} {system}: {status[system]}")
                entry["error"] = status[system]
                raw[system].append(entry)
                continue
            try:
                report = parse_json_object(run["stdout"])
                by_batch = {int(x["batch_size"]): x for x in report["results"]}
                missing = [b for b in args.batch_size if b not in by_batch]
                if missing:
                    raise ValueError(f"no result for batch size {missing}")
                for b in args.batch_size:
                    float(by_batch[b]["latency_ms"]["median"])
            except (ValueError, KeyError, TypeError) as e:
                status[system] = f"failed: unreadable output ({e})"
                log(f"round {r + 1}/{args.rounds} {system}: {status[system]}")
                entry["error"] = status[system]
                raw[system].append(entry)
                continue
            entry["report"] = report
            raw[system].append(entry)
            summary = ", ".join(f"b{b} {by_batch[b]['latency_ms']['median']:.0f} ms" for b in args.batch_size)
            bg = run.get("background_cores")
            log(f"round {r + 1}/{args.rounds} {system}: {summary} "
                f"(process {run['wall_s']:.1f} s{'' if bg is None else f', background load {bg:.2f} cores'})")
    return raw, status


def process_rounds(args, systems, onnx_paths):
    raw = {s: [] for s in systems}
    status = {s: None for s in systems}
    for system in SWIFT_SYSTEMS:
        if system in systems:
            status[system] = binary_status("classify", args)
    total = args.process_warmup + args.process_rounds
    for r in range(total):
        warm = r < args.process_warmup
        for system in rotated(systems, r):
            if status[system] is not None:
                continue
            wait_for_quiet(args)
            run = run_measured(process_command(system, args, onnx_paths),
                               env=worker_env(args.threads) if system not in SWIFT_SYSTEMS else None,
                               timeout=args.timeout)
            label = "warm-up" if warm else f"round {r - args.process_warmup + 1}/{args.process_rounds}"
            if run["returncode"] != 0:
                status[system] = f"failed: {failure_reason(run)}"
                log(f"whole process {label} {system}: {status[system]}")
                continue
            entry = {"round": r - args.process_warmup, "warmup": warm, "wall_s": run["wall_s"],
                     "peak_rss_mb": run["peak_rss_mb"], "cpu_s": run["cpu_s"],
                     "background_cores": run.get("background_cores"), "top1": top1_label(run["stdout"]),
                     "stdout": run["stdout"].strip()[:2000]}
            raw[system].append(entry)
            log(f"whole process {label} {system}: {run['wall_s']:.2f} s, peak RSS {run['peak_rss_mb']:.0f} MB, "
                f"top-1 {entry['top1']!r}")
    return raw, status


# ----------------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Compare SwiftViT with PyTorch + transformers and ONNX Runtime on one ViT checkpoint.")
    parser.add_argument("--model", required=True,
                        help="Hugging Face ViTForImageClassification folder (config.json, "
                             "preprocessor_config.json, model.safetensors)")
    parser.add_argument("--batch-size", type=int, action="append",
                        help="batch size to time, repeatable; the first is the latency column, the last the "
                             "throughput column (default: 1 and 8)")
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads for every system (default: 2)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="throughput rounds, one fresh process per system each (default: 5)")
    parser.add_argument("--iterations", type=int, default=5,
                        help="timed forward passes per batch size per round (default: 5)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="untimed forward passes per batch size per round (default: 2)")
    parser.add_argument("--process-rounds", type=int, default=3,
                        help="whole-process rounds, 0 to skip them (default: 3)")
    parser.add_argument("--process-warmup", type=int, default=1,
                        help="unrecorded whole-process rounds run first (default: 1)")
    parser.add_argument("--image", default=os.path.join(REPO, "Fixtures", "images", "photos", "chelsea.jpg"),
                        help="image the whole-process rows label (default: Fixtures/images/photos/chelsea.jpg)")
    parser.add_argument("--systems", default=",".join(ALL_SYSTEMS),
                        help="comma-separated subset of %(default)s (default: all)")
    parser.add_argument("--vit-bench", default=os.path.join(REPO, ".build", "release", "vit-bench"),
                        help="SwiftViT benchmark binary (default: .build/release/vit-bench)")
    parser.add_argument("--vit-classify", default=os.path.join(REPO, ".build", "release", "vit-classify"),
                        help="SwiftViT CLI for the whole-process row (default: .build/release/vit-classify)")
    parser.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "swiftvit-compare"),
                        help="where the exported ONNX file is cached (default: %(default)s)")
    parser.add_argument("--exporter", choices=["dynamo", "legacy"], default="legacy",
                        help="torch.onnx exporter: legacy (TorchScript tracing; ONNX Runtime fuses more of its "
                             "graph) or dynamo (torch.export) (default: %(default)s)")
    parser.add_argument("--opset", type=int, default=18, help="ONNX opset (default: %(default)s)")
    parser.add_argument("--tolerance", type=float, default=1e-3,
                        help="largest acceptable |logits(ORT) - logits(PyTorch)| (default: %(default)s)")
    parser.add_argument("--quiet-below", type=float, metavar="CORES",
                        help="before each measured process, wait until other processes use less CPU than this "
                             "many cores (sampled over 1 s), for at most --quiet-wait seconds (default: off)")
    parser.add_argument("--quiet-wait", type=float, default=60, metavar="SECONDS",
                        help="longest wait for --quiet-below (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds before a child process is killed (default: %(default)s)")
    parser.add_argument("--fidelity", metavar="FILE",
                        help="a Benchmarks/fidelity/fidelity.py --output of the same model: each system's "
                             "max |Δlogit| and top-1 agreement go into the report and the chart")
    parser.add_argument("--fidelity-count", type=int, default=0, metavar="N",
                        help="measure that now, on N images, instead of reading --fidelity (default: off)")
    parser.add_argument("--output", default="results.json",
                        help="JSON file for every raw and summarised number (default: %(default)s)")
    parser.add_argument("--markdown", help="also write the Markdown report to this file")
    parser.add_argument("--chart", help="also draw the chart (chart.py) to this .svg or .png file")
    args = parser.parse_args(argv)
    args.batch_size = args.batch_size or [1, 8]
    args.model = os.path.abspath(args.model)
    args.image = os.path.abspath(args.image)
    args.vit_bench = os.path.abspath(args.vit_bench)
    args.vit_classify = os.path.abspath(args.vit_classify)
    systems = [x.strip() for x in args.systems.split(",") if x.strip()]
    unknown = [x for x in systems if x not in ALL_SYSTEMS]
    if unknown or not systems:
        parser.error(f"--systems: unknown {unknown}; choose from {ALL_SYSTEMS}")
    args.systems = [x for x in ALL_SYSTEMS if x in systems]
    if min(args.batch_size) < 1 or args.rounds < 1 or args.iterations < 1 or args.warmup < 0 \
            or args.process_rounds < 0 or args.process_warmup < 0 or args.threads < 1 or args.fidelity_count < 0:
        parser.error("batch sizes, rounds, iterations and threads must be positive")
    for name in ("config.json", "preprocessor_config.json"):
        if not os.path.isfile(os.path.join(args.model, name)):
            parser.error(f"--model {args.model}: no {name}")
    if args.process_rounds and not os.path.isfile(args.image):
        parser.error(f"--image {args.image}: no such file")
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    with open(os.path.join(args.model, "config.json")) as f:
        config = json.load(f)
    flops = model_flops_per_image(config)
    machine = machine_description()
    log(f"compare: {args.model} ({flops / 1e9:.2f} GFLOP/image) on {machine['cpu']}, {args.threads} threads, "
        f"systems {','.join(args.systems)}, {args.rounds} rounds × ({args.warmup} + {args.iterations}) "
        f"passes per batch size {args.batch_size}, {args.process_rounds} whole-process rounds")

    fidelity = load_fidelity(args)
    onnx_report, onnx_paths = None, {}
    if any(system in args.systems for system in ORT_SYSTEMS):
        onnx_report = export_onnx(args, int8=ORT_INT8 in args.systems)
        onnx_paths = {ORT: onnx_report["onnx"], ORT_INT8: (onnx_report.get("int8") or {}).get("onnx")}

    raw_t, status_t = throughput_rounds(args, args.systems, onnx_paths)
    if args.process_rounds:
        raw_p, status_p = process_rounds(args, args.systems, onnx_paths)
    else:
        raw_p, status_p = {}, {}

    summary = summarise_throughput(raw_t, status_t, args, flops)
    process = summarise_process(raw_p, status_p) if args.process_rounds else {}
    results = {
        "schema": 1,
        "generated_unix": int(started),
        "duration_s": None,
        "settings": {k: v for k, v in vars(args).items() if k not in ("output", "markdown", "chart")},
        "model": {"path": args.model, "gflop_per_image": flops / 1e9,
                  "hidden_size": config.get("hidden_size"), "num_hidden_layers": config.get("num_hidden_layers"),
                  "image_size": config.get("image_size"), "patch_size": config.get("patch_size"),
                  "num_labels": len(config.get("id2label", {})) or config.get("num_labels")},
        "machine": machine,
        "onnx": onnx_report,
        "fidelity": fidelity,
        "throughput": summary,
        "whole_process": process,
        "raw": {"throughput": raw_t, "whole_process": raw_p},
        "names": NAMES,
    }
    results["ratios"] = ratios(summary, process, raw_t, args)
    results["duration_s"] = time.time() - started
    report = markdown(results, args)
    results["markdown"] = report
    with open(args.output, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(report)
    sys.stdout.write(report)
    log(f"compare: wrote {args.output} in {results['duration_s'] / 60:.1f} min")
    if args.chart:
        subprocess.run([sys.executable, os.path.join(HERE, "chart.py"), args.output, args.chart], check=True)


if __name__ == "__main__":
    main()
