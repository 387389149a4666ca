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
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

SWIFT, TORCH, ORT = "swiftvit", "pytorch", "onnxruntime"
ALL_SYSTEMS = [SWIFT, TORCH, ORT]
NAMES = {SWIFT: "SwiftViT", TORCH: "PyTorch + transformers", ORT: "ONNX Runtime"}


# ----------------------------------------------------------------------------------------------------------
# Running one measured child process


def cpu_busy_seconds():
    """Busy CPU time of the whole machine (all processes, all cores) since boot, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    guest = sum(fields[8:10]) if len(fields) > 9 else 0       # already counted in user / nice
    return (sum(fields) - idle - guest) / os.sysconf("SC_CLK_TCK")


def run_measured(cmd, env=None, timeout=None):
    """Runs cmd to completion; returns its exit code, wall time, rusage, output and the machine's background load.

    Wall time runs from just before the spawn to the reaping of the child. Peak RSS is the child's ru_maxrss
    (os.wait4). `background_cores` is the busy CPU time of everything else on the machine during the run,
    in cores: the noise this run suffered.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy_before = cpu_busy_seconds()
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        except OSError as e:
            return {"returncode": None, "error": str(e), "wall_s": 0.0, "stdout": "", "stderr": str(e)}
        timed_out = []

        def kill():
            timed_out.append(True)
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        busy_after = cpu_busy_seconds()
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    child_cpu = usage.ru_utime + usage.ru_stime
    background = None
    if busy_before is not None and busy_after is not None and wall > 0:
        background = max(0.0, (busy_after - busy_before - child_cpu) / wall)
    return {
        "returncode": proc.returncode,
        "timed_out": bool(timed_out),
        "wall_s": wall,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,  # KiB on Linux
        "cpu_s": child_cpu,
        "background_cores": background,
        "stdout": stdout,
        "stderr": stderr,
    }


def wait_for_quiet(args):
    """With --quiet-below, waits (at most --quiet-wait seconds) until other processes use less CPU than that.

    Returns the background load of the last one-second sample, in cores, or None when not waiting.
    """
    if args.quiet_below is None:
        return None
    deadline = time.monotonic() + args.quiet_wait
    while True:
        before = cpu_busy_seconds()
        time.sleep(1.0)
        after = cpu_busy_seconds()
        load = None if before is None or after is None else after - before
        if load is None or load < args.quiet_below or time.monotonic() >= deadline:
            return load
        time.sleep(2.0)


def failure_reason(run):
    if run.get("error"):
        return run["error"]
    if run.get("timed_out"):
        return "timed out"
    lines = [l for l in run["stderr"].strip().splitlines() if l.strip()]
    tail = lines[-1].strip() if lines else "no message"
    return f"exit {run['returncode']}: {tail[:200]}"


def parse_json_object(text):
    """The JSON object a tool printed: the whole stdout, or else its last line that is one."""
    try:
        value = json.loads(text)
        if isinstance(value, dict):
            return value
    except ValueError:
        pass
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
                if isinstance(value, dict):
                    return value
            except ValueError:
                continue
    raise ValueError("no JSON object on stdout")


def top1_label(text):
    """The first prediction's label from a classifier's JSON output, whatever the exact shape, or None."""
    try:
        value = parse_json_object(text)
    except ValueError:
        return None

    def first_label(node):
        if isinstance(node, dict):
            if "label" in node:
                return node["label"]
            for key in ("predictions", "classifications", "results", "top", "labels"):
                if key in node:
                    found = first_label(node[key])
                    if found is not None:
                        return found
            for child in node.values():
                found = first_label(child)
                if found is not None:
                    return found
        elif isinstance(node, list) and node:
            return first_label(node[0])
        return None

    return first_label(value)


def is_executable(path):
    return path is not None and os.path.isfile(path) and os.access(path, os.X_OK)


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
# Machine description


def read_cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if f in flags]
    except OSError:
        pass
    return []


def memory_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def openblas_packages():
    """Installed Debian OpenBLAS runtime packages and their versions (what SwiftViT links against)."""
    if not shutil.which("dpkg-query"):
        return {}
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version} ${Status}\\n", "libopenblas0*"],
                             capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and line.endswith("installed") and "not-installed" not in line:
            found[parts[0]] = parts[1]
    return found


def command_first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        text = (out.stdout or out.stderr).strip()
        return text.splitlines()[0] if text else None
    except (OSError, subprocess.SubprocessError):
        return None


def machine_description():
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    return {
        "cpu": read_cpu_model(),
        "cpu_flags": cpu_flags(),
        "logical_cpus": cores,
        "usable_cpus": usable,
        "memory_gib": memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": {name: package_version(name) for name in
                     ("torch", "transformers", "onnxruntime", "onnx", "onnxscript", "numpy", "pillow")},
        "openblas": openblas_packages(),
        "swift": command_first_line(["swift", "--version"]) if shutil.which("swift") else None,
        "swiftvit_commit": command_first_line(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]),
    }


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


def throughput_command(system, args, onnx_path):
    batches = [x for b in args.batch_size for x in ("--batch-size", str(b))]
    common = ["--threads", str(args.threads), "--iterations", str(args.iterations), "--warmup", str(args.warmup)]
    if system == SWIFT:
        return [args.vit_bench, "--model", args.model] + batches + common + ["--format", "json"]
    worker = os.path.join(HERE, "bench_worker.py")
    if system == TORCH:
        return [sys.executable, worker, TORCH, "--model", args.model] + batches + common
    return [sys.executable, worker, ORT, "--onnx", onnx_path] + batches + common


def process_command(system, args, onnx_path):
    if system == SWIFT:
        return [args.vit_classify, "--model", args.model, "--format", "jsonl", args.image]
    if system == TORCH:
        return [sys.executable, os.path.join(HERE, "classify_transformers.py"), "--model", args.model,
                "--threads", str(args.threads), args.image]
    return [sys.executable, os.path.join(HERE, "classify_ort.py"), "--onnx", onnx_path, "--model", args.model,
            "--threads", str(args.threads), args.image]


def log(message):
    print(message, file=sys.stderr, flush=True)


def export_onnx(args):
    """Exports (or reuses) the ONNX file and checks it; returns the export report or raises SystemExit."""
    os.makedirs(args.work_dir, exist_ok=True)
    st = os.stat(os.path.join(args.model, "model.safetensors")) \
        if os.path.exists(os.path.join(args.model, "model.safetensors")) else os.stat(args.model)
    key = f"{os.path.abspath(args.model)}|{st.st_size}|{st.st_mtime_ns}|{args.exporter}|{args.opset}|" \
          f"{package_version('torch')}|{package_version('transformers')}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    onnx_path = os.path.join(args.work_dir, f"vit-{args.exporter}-opset{args.opset}-{digest}.onnx")
    log(f"ONNX: {'reusing' if os.path.exists(onnx_path) else 'exporting to'} {onnx_path} "
        f"({args.exporter} exporter, opset {args.opset}), then checking ONNX Runtime against PyTorch...")
    run = run_measured([sys.executable, os.path.join(HERE, "export_onnx.py"), "--model", args.model,
                        "--output", onnx_path, "--exporter", args.exporter, "--opset", str(args.opset),
                        "--threads", str(args.threads)], env=worker_env(args.threads), timeout=args.timeout)
    if run["returncode"] != 0:
        sys.stderr.write(run["stderr"][-4000:])
        raise SystemExit(f"compare: ONNX export/check failed ({failure_reason(run)})")
    report = parse_json_object(run["stdout"])
    worst = max(report["max_abs_diff"].values())
    log(f"ONNX: max |logits(ORT) - logits(PyTorch)| = {worst:.3g} "
        f"({', '.join(f'batch {b}: {d:.3g}' for b, d in report['max_abs_diff'].items())})")
    if worst > args.tolerance:
        raise SystemExit(f"compare: ONNX Runtime disagrees with PyTorch by {worst:.3g} > {args.tolerance}")
    return report


def binary_status(system, args):
    path = args.vit_bench if system == "bench" else args.vit_classify
    if is_executable(path):
        return None
    product = "vit-bench" if system == "bench" else "vit-classify"
    return f"not built ({path} missing; `swift build -c release --product {product}`)"


def throughput_rounds(args, systems, onnx_path):
    raw = {s: [] for s in systems}
    status = {s: None for s in systems}
    if SWIFT in systems:
        status[SWIFT] = binary_status("bench", args)
    for r in range(args.rounds):
        for system in rotated(systems, r):
            if status[system] is not None:
                continue
            load_before = wait_for_quiet(args)
            run = run_measured(throughput_command(system, args, onnx_path), env=worker_env(args.threads)
                               if system != SWIFT else None, timeout=args.timeout)
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


def process_rounds(args, systems, onnx_path):
    raw = {s: [] for s in systems}
    status = {s: None for s in systems}
    if SWIFT in systems:
        status[SWIFT] = binary_status("classify", args)
    total = args.process_warmup + args.process_rounds
    for r in range(total):
        warm = r < args.process_warmup
        for system in rotated(systems, r):
            if status[system] is not None:
                continue
            wait_for_quiet(args)
            run = run_measured(process_command(system, args, onnx_path),
                               env=worker_env(args.threads) if system != SWIFT else None, timeout=args.timeout)
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
# Summaries


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def summarise_throughput(raw, status, args, flops):
    summary = {}
    for system, entries in raw.items():
        ok = [e for e in entries if "report" in e]
        if status[system] is not None or not ok:
            summary[system] = {"status": status[system] or "no rounds"}
            continue
        per_batch = {}
        for b in args.batch_size:
            results = [next(x for x in e["report"]["results"] if int(x["batch_size"]) == b) for e in ok]
            medians = [float(x["latency_ms"]["median"]) for x in results]
            best = min(float(x["latency_ms"]["min"]) for x in results)
            lat = statistics.median(medians)
            row = {"latency_ms": spread(medians), "best_iteration_ms": best,
                   "images_per_second": b * 1000.0 / lat,
                   "images_per_second_rounds": [b * 1000.0 / m for m in medians],
                   "effective_gflops": flops * b / (lat / 1000.0) / 1e9}
            if system == SWIFT:
                for key in ("roof_fraction", "gflops_per_second"):
                    values = [float(x[key]) for x in results if isinstance(x.get(key), (int, float))]
                    if values:
                        row[key] = statistics.median(values)
                stages = [x.get("stages_ms") for x in results if isinstance(x.get("stages_ms"), dict)]
                if stages:
                    keys = [k for k in stages[0] if all(isinstance(s.get(k), (int, float)) for s in stages)]
                    row["stages_ms"] = {k: statistics.median(float(s[k]) for s in stages) for k in keys}
            per_batch[str(b)] = row
        bg = [e["background_cores"] for e in ok if e.get("background_cores") is not None]
        item = {"status": "ok", "rounds": len(ok), "batches": per_batch,
                "background_cores": statistics.median(bg) if bg else None,
                "load_ms": statistics.median(float(e["report"].get("load_ms", 0) or 0) for e in ok),
                "bench_peak_rss_mb": statistics.median(
                    float(e["report"].get("peak_rss_mb") or e["peak_rss_mb"]) for e in ok)}
        if system == SWIFT:
            roofs = [float(e["report"]["fma_peak_gflops"]) for e in ok
                     if isinstance(e["report"].get("fma_peak_gflops"), (int, float))]
            if roofs:
                item["fma_peak_gflops"] = statistics.median(roofs)
        summary[system] = item
    return summary


def summarise_process(raw, status):
    summary = {}
    for system, entries in raw.items():
        measured = [e for e in entries if not e["warmup"]]
        if status[system] is not None or not measured:
            summary[system] = {"status": status[system] or "no rounds"}
            continue
        labels = {e["top1"] for e in measured}
        summary[system] = {"status": "ok", "wall_s": spread([e["wall_s"] for e in measured]),
                           "peak_rss_mb": spread([e["peak_rss_mb"] for e in measured]),
                           "top1": labels.pop() if len(labels) == 1 else sorted(map(str, labels))}
    return summary


def paired_ratios(raw, ours, theirs, batch, key):
    """Per-round ratios ours/theirs from the same round (paired, so a slow phase hits both)."""
    def value(entry):
        x = next(x for x in entry["report"]["results"] if int(x["batch_size"]) == batch)
        lat = float(x["latency_ms"]["median"])
        return lat if key == "latency" else batch * 1000.0 / lat

    a = {e["round"]: value(e) for e in raw.get(ours, []) if "report" in e}
    b = {e["round"]: value(e) for e in raw.get(theirs, []) if "report" in e}
    return [a[r] / b[r] for r in sorted(a) if r in b]


def ratios(summary, process, raw, args):
    out = {}
    lat_b, thr_b = str(args.batch_size[0]), str(args.batch_size[-1])
    ours = summary.get(SWIFT, {})
    for other in (ORT, TORCH):
        theirs = summary.get(other, {})
        if ours.get("status") != "ok" or theirs.get("status") != "ok":
            continue
        item = {
            f"batch{lat_b}_latency": ours["batches"][lat_b]["latency_ms"]["median"]
            / theirs["batches"][lat_b]["latency_ms"]["median"],
            f"batch{lat_b}_latency_rounds": paired_ratios(raw, SWIFT, other, int(lat_b), "latency"),
            f"batch{thr_b}_throughput": ours["batches"][thr_b]["images_per_second"]
            / theirs["batches"][thr_b]["images_per_second"],
            f"batch{thr_b}_throughput_rounds": paired_ratios(raw, SWIFT, other, int(thr_b), "throughput"),
        }
        out[f"{SWIFT}/{other}"] = item
    for other in (ORT, TORCH):
        p_ours, p_theirs = process.get(SWIFT, {}), process.get(other, {})
        if p_ours.get("status") == "ok" and p_theirs.get("status") == "ok":
            item = out.setdefault(f"{SWIFT}/{other}", {})
            item["process_wall"] = p_ours["wall_s"]["median"] / p_theirs["wall_s"]["median"]
            item["process_peak_rss"] = p_ours["peak_rss_mb"]["median"] / p_theirs["peak_rss_mb"]["median"]
    return out


# ----------------------------------------------------------------------------------------------------------
# Report


def cell(summary, fmt, *path):
    node = summary
    if node.get("status") != "ok":
        status = node.get("status") or "not run"
        return "not built" if status.startswith("not built") else ("failed" if status.startswith("failed")
                                                                    else status)
    for key in path:
        node = node[key]
    return fmt(node)


def markdown(results, args):
    s, p, m = results["throughput"], results["whole_process"], results["machine"]
    lat_b, thr_b = str(args.batch_size[0]), str(args.batch_size[-1])
    lines = []
    lines.append(f"## ViT inference on {m['cpu']}, {args.threads} threads")
    lines.append("")
    lines.append(f"| system | batch-{lat_b} latency (ms) | batch-{thr_b} throughput (img/s) "
                 f"| whole process: load + 1 image (s) | whole process: peak RSS (MB) |")
    lines.append("|---|---:|---:|---:|---:|")
    for system in ALL_SYSTEMS:
        if system not in s and system not in p:
            continue
        ts, ps = s.get(system, {"status": "not run"}), p.get(system, {"status": "not run"})
        lines.append("| " + " | ".join([
            NAMES[system],
            cell(ts, lambda v: f"{v['median']:.0f} ({v['min']:.0f}–{v['max']:.0f})", "batches", lat_b, "latency_ms"),
            cell(ts, lambda v: f"{v:.2f}", "batches", thr_b, "images_per_second"),
            cell(ps, lambda v: f"{v['median']:.2f}", "wall_s"),
            cell(ps, lambda v: f"{v['median']:.0f}", "peak_rss_mb"),
        ]) + " |")
    lines.append("")
    lines.append(f"Latency: median of {args.rounds} round medians (range of the round medians in brackets), "
                 f"each round {args.warmup} warm-up + {args.iterations} timed forward passes in a fresh process. "
                 f"Throughput: batch size / median batch latency. Whole process: median over {args.process_rounds} "
                 f"fresh process(es) per system (after {args.process_warmup} unrecorded), spawn to exit, "
                 f"labelling `{os.path.relpath(args.image, REPO) if args.image.startswith(REPO) else args.image}`.")
    if args.quiet_below is not None:
        lines.append(f"- Before each process the run waited (up to {args.quiet_wait:.0f} s) for other processes "
                     f"to use less than {args.quiet_below} cores.")
    for system in ALL_SYSTEMS:
        for part, table in (("throughput", s), ("whole process", p)):
            st = table.get(system, {}).get("status")
            if st and st != "ok":
                lines.append(f"- {NAMES[system]} {part}: {st}")
    lines.append("")

    if results["ratios"]:
        lines.append("### Ratios, SwiftViT / other (same run)")
        lines.append("")
        lines.append("| vs | batch-%s latency (<1 is faster) | batch-%s throughput (>1 is faster) "
                     "| whole-process time | whole-process peak RSS |" % (lat_b, thr_b))
        lines.append("|---|---:|---:|---:|---:|")
        for key, r in results["ratios"].items():
            other = NAMES[key.split("/")[1]]

            def fmt(name):
                if name not in r:
                    return "–"
                rounds = r.get(name + "_rounds")
                extra = f" ({min(rounds):.2f}–{max(rounds):.2f} per round)" if rounds else ""
                return f"{r[name]:.2f}×{extra}"

            lines.append(f"| {other} | {fmt(f'batch{lat_b}_latency')} | {fmt(f'batch{thr_b}_throughput')} "
                         f"| {fmt('process_wall')} | {fmt('process_peak_rss')} |")
        lines.append("")

    lines.append("### Details")
    lines.append("")
    lines.append("| system | batch | latency median (ms) | best iteration (ms) | img/s | effective GFLOP/s "
                 "| load (ms) | benchmark peak RSS (MB) | background load (cores) |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for system in ALL_SYSTEMS:
        ts = s.get(system)
        if not ts or ts.get("status") != "ok":
            continue
        for b in args.batch_size:
            row = ts["batches"][str(b)]
            lines.append(f"| {NAMES[system]} | {b} | {row['latency_ms']['median']:.1f} | "
                         f"{row['best_iteration_ms']:.1f} | {row['images_per_second']:.2f} | "
                         f"{row['effective_gflops']:.1f} | {ts['load_ms']:.0f} | {ts['bench_peak_rss_mb']:.0f} | "
                         + ("–" if ts["background_cores"] is None else f"{ts['background_cores']:.2f}") + " |")
    lines.append("")
    lines.append(f"Effective GFLOP/s = {results['model']['gflop_per_image']:.2f} GFLOP per image "
                 f"(GEMMs and attention matmuls) × batch / median latency.")
    sw = s.get(SWIFT, {})
    if sw.get("status") == "ok":
        roof = sw.get("fma_peak_gflops")
        parts = [f"the machine's FMA peak (register-only FMA loop on every thread, measured by vit-bench): "
                 f"{roof:.1f} GFLOP/s" if roof else "SwiftViT reported no FMA peak"]
        for b in args.batch_size:
            row = sw["batches"][str(b)]
            if "roof_fraction" in row:
                parts.append(f"batch {b}: {row['roof_fraction'] * 100:.0f}% of the roof"
                             + (f" ({row['gflops_per_second']:.1f} GFLOP/s)" if "gflops_per_second" in row else ""))
        lines.append("; ".join(parts) + ".")
        for b in args.batch_size:
            stages = sw["batches"][str(b)].get("stages_ms")
            if stages:
                lines.append(f"SwiftViT stages, batch {b} (ms): "
                             + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()) + ".")
    if results.get("onnx"):
        o = results["onnx"]
        lines.append(f"ONNX: {o['exporter']} exporter, opset {o['opset']}; max |logits(ORT) − logits(PyTorch)| = "
                     f"{max(o['max_abs_diff'].values()):.2g}.")
    tops = {NAMES[k]: v["top1"] for k, v in p.items() if v.get("status") == "ok"}
    if tops:
        agree = len({json.dumps(v) for v in tops.values()}) == 1
        lines.append("Whole-process top-1: " + ", ".join(f"{k} {v!r}" for k, v in tops.items())
                     + (" (agree)." if agree else " (DISAGREE: check preprocessing)."))
    bg = [e.get("background_cores") for entries in results["raw"]["throughput"].values() for e in entries
          if e.get("background_cores") is not None]
    if bg:
        lines.append(f"Background load from other processes during the throughput runs: median "
                     f"{statistics.median(bg):.2f} cores, max {max(bg):.2f} (of {m['usable_cpus']}).")
    lines.append("")
    lines.append("### Machine")
    lines.append("")
    v = m["versions"]
    blas = ", ".join(f"{k} {ver}" for k, ver in m["openblas"].items()) or "not found"
    lines.append(f"- CPU: {m['cpu']} ({m['usable_cpus']} usable of {m['logical_cpus']} logical CPUs; "
                 f"{', '.join(m['cpu_flags']) or 'no AVX2'}), {m['memory_gib']} GiB, Linux {m['kernel']}")
    lines.append(f"- torch {v['torch']}, transformers {v['transformers']}, onnxruntime {v['onnxruntime']}, "
                 f"onnx {v['onnx']}, numpy {v['numpy']}, pillow {v['pillow']}, Python {m['python']}")
    lines.append(f"- OpenBLAS: {blas}; {m['swift'] or 'swift not found'}; SwiftViT {m['swiftvit_commit']}")
    return "\n".join(lines) + "\n"


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
            or args.process_rounds < 0 or args.process_warmup < 0 or args.threads < 1:
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

    onnx_report, onnx_path = None, None
    if ORT in args.systems:
        onnx_report = export_onnx(args)
        onnx_path = onnx_report["onnx"]

    raw_t, status_t = throughput_rounds(args, args.systems, onnx_path)
    if args.process_rounds:
        raw_p, status_p = process_rounds(args, args.systems, onnx_path)
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
