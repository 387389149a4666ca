"""The Markdown report of a compare.py run."""

import json
import os
import statistics

from systems import ALL_SYSTEMS, NAMES, SWIFT

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
