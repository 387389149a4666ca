"""The Markdown report of a compare.py run."""

import json
import os
import statistics

from systems import ALL_SYSTEMS, COMPUTE, NAMES, SWIFT_SYSTEMS, TORCH

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


def fidelity_cells(results, system):
    """max |Δlogit| and top-1 agreement against transformers fp32, from the run's fidelity measurement."""
    if system == TORCH:
        return ["reference", "reference"]
    f = ((results.get("fidelity") or {}).get("systems") or {}).get(system)
    if not f:
        return ["–", "–"]
    return [f"{f['max_abs']:.2g}", f"{100 * f['top1_agree'] / f['images']:.1f} %"]


def precision_note(summary, system):
    """What a row computes in, and, for SwiftViT, on which kernels (emulated ones are labelled)."""
    if system in SWIFT_SYSTEMS:
        kernel = summary.get(system, {}).get("gemm_kernel")
        return kernel or COMPUTE[system]
    return "int8 (quantize_dynamic)" if system.endswith("int8") else "float32"


def main_table(results, args):
    s, p = results["throughput"], results["whole_process"]
    lat_b, thr_b = str(args.batch_size[0]), str(args.batch_size[-1])
    fidelity = results.get("fidelity")
    head = (f"| system | GEMMs | batch-{lat_b} latency (ms) | batch-{thr_b} throughput (img/s) "
            f"| whole process: load + 1 image (s) | whole process: peak RSS (MB) |")
    rule = "|---|---|---:|---:|---:|---:|"
    if fidelity:
        head += " max \\|Δlogit\\| vs transformers fp32 | top-1 agreement |"
        rule += "---:|---:|"
    lines = [head, rule]
    for system in ALL_SYSTEMS:
        if system not in s and system not in p:
            continue
        ts, ps = s.get(system, {"status": "not run"}), p.get(system, {"status": "not run"})
        cells = [
            NAMES[system], precision_note(s, system),
            cell(ts, lambda v: f"{v['median']:.0f} ({v['min']:.0f}–{v['max']:.0f})", "batches", lat_b, "latency_ms"),
            cell(ts, lambda v: f"{v:.2f}", "batches", thr_b, "images_per_second"),
            cell(ps, lambda v: f"{v['median']:.2f}", "wall_s"),
            cell(ps, lambda v: f"{v['median']:.0f}", "peak_rss_mb"),
        ] + (fidelity_cells(results, system) if fidelity else [])
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def notes(results, args):
    s, p = results["throughput"], results["whole_process"]
    image = os.path.relpath(args.image, REPO) if args.image.startswith(REPO) else args.image
    lines = [f"Latency: median of {args.rounds} round medians (range of the round medians in brackets), "
             f"each round {args.warmup} warm-up + {args.iterations} timed forward passes in a fresh process. "
             f"Throughput: batch size / median batch latency. Whole process: median over {args.process_rounds} "
             f"fresh process(es) per system (after {args.process_warmup} unrecorded), spawn to exit, "
             f"labelling `{image}`."]
    emulated = [NAMES[x] for x in SWIFT_SYSTEMS if "emulated" in (s.get(x, {}).get("gemm_kernel") or "")]
    if emulated:
        lines.append(f"- **{', '.join(emulated)}: emulated kernels.** This CPU lacks the instructions they are "
                     f"made for (AVX512-BF16 `vdpbf16ps`), so they ran the portable "
                     f"emulation, which gives the same results but is slower than float32: their speed here "
                     f"says nothing about their speed on a CPU that has those instructions.")
    fidelity = results.get("fidelity")
    if fidelity:
        lines.append(f"- Fidelity: every logit of {fidelity['images']} varied images against transformers "
                     f"float32 ({fidelity['processor']} backend), from `{fidelity['source']}` "
                     f"(Benchmarks/fidelity/fidelity.py).")
    if args.quiet_below is not None:
        lines.append(f"- Before each process the run waited (up to {args.quiet_wait:.0f} s) for other processes "
                     f"to use less than {args.quiet_below} cores.")
    for system in ALL_SYSTEMS:
        for part, table in (("throughput", s), ("whole process", p)):
            st = table.get(system, {}).get("status")
            if st and st != "ok":
                lines.append(f"- {NAMES[system]} {part}: {st}")
    return lines


def ratio_table(results, args):
    lat_b, thr_b = str(args.batch_size[0]), str(args.batch_size[-1])
    lines = ["### Ratios, SwiftViT / other (same run)", "",
             f"| SwiftViT | vs | batch-{lat_b} latency (<1 is faster) | batch-{thr_b} throughput (>1 is faster) "
             "| whole-process time | whole-process peak RSS |", "|---|---|---:|---:|---:|---:|"]
    for key, r in results["ratios"].items():
        mine, other = key.split("/")

        def fmt(name):
            if name not in r:
                return "–"
            rounds = r.get(name + "_rounds")
            extra = f" ({min(rounds):.2f}–{max(rounds):.2f} per round)" if rounds else ""
            return f"{r[name]:.2f}×{extra}"

        lines.append(f"| {NAMES[mine]} | {NAMES[other]} | {fmt(f'batch{lat_b}_latency')} "
                     f"| {fmt(f'batch{thr_b}_throughput')} | {fmt('process_wall')} | {fmt('process_peak_rss')} |")
    return lines


def details_table(results, args):
    s = results["throughput"]
    lines = ["### Details", "",
             "| system | batch | latency median (ms) | best iteration (ms) | img/s | effective GFLOP/s "
             "| load (ms) | benchmark peak RSS (MB) | background load (cores) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
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
    lines += ["", f"Effective GFLOP/s = {results['model']['gflop_per_image']:.2f} GFLOP per image "
                  f"(GEMMs and attention matmuls) × batch / median latency."]
    return lines


def swift_details(results, args):
    lines = []
    for system in SWIFT_SYSTEMS:
        sw = results["throughput"].get(system, {})
        if sw.get("status") != "ok":
            continue
        roof, native = sw.get("fma_peak_gflops"), sw.get("compute_peak_gflops")
        # vit-bench names the loop that gave the roof; for results from before it did, compare the numbers.
        on_native = (sw["compute_roof_instruction"] not in ("fma", "none") if "compute_roof_instruction" in sw
                     else bool(native and roof and abs(native - roof) > 1e-9))
        if native and on_native:
            # bfloat16 / int8 on vdpbf16ps / vpdpbusd: the roof is that instruction's register-only loop.
            parts = [f"{NAMES[system]}: the roof of its GEMM instruction ({sw.get('gemm_kernel', '?')}, a "
                     f"register-only loop on every thread, measured by vit-bench): {native:.1f} GFLOP/s "
                     f"(FMA peak {roof:.1f})"]
        else:
            parts = [f"{NAMES[system]}: the machine's FMA peak (register-only FMA loop on every thread, measured by "
                     f"vit-bench): {roof:.1f} GFLOP/s" if roof else f"{NAMES[system]} reported no FMA peak"]
        for b in args.batch_size:
            row = sw["batches"][str(b)]
            if "roof_fraction" in row:
                parts.append(f"batch {b}: {row['roof_fraction'] * 100:.0f}% of the roof"
                             + (f" ({row['gflops_per_second']:.1f} GFLOP/s)" if "gflops_per_second" in row else ""))
        lines.append("; ".join(parts) + ".")
        for b in args.batch_size:
            stages = sw["batches"][str(b)].get("stages_ms")
            if stages:
                lines.append(f"{NAMES[system]} stages, batch {b} (ms): "
                             + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()) + ".")
    return lines


def checks(results):
    lines = []
    if results.get("onnx"):
        o = results["onnx"]
        lines.append(f"ONNX: {o['exporter']} exporter, opset {o['opset']}; max |logits(ORT) − logits(PyTorch)| = "
                     f"{max(o['max_abs_diff'].values()):.2g}"
                     + (f"; int8: {max(o['int8']['max_abs_diff'].values()):.2g} (on random inputs)"
                        if o.get("int8") else "") + ".")
    tops = {k: v["top1"] for k, v in results["whole_process"].items() if v.get("status") == "ok"}
    exact = {NAMES[k]: v for k, v in tops.items() if k in ("swiftvit", "pytorch", "onnxruntime")}
    reduced = {NAMES[k]: v for k, v in tops.items() if k not in ("swiftvit", "pytorch", "onnxruntime")}
    if exact:
        agree = len({json.dumps(v) for v in exact.values()}) == 1
        lines.append("Whole-process top-1 (float32): " + ", ".join(f"{k} {v!r}" for k, v in exact.items())
                     + (" (agree)." if agree else " (DISAGREE: check preprocessing)."))
    if reduced:
        lines.append("Whole-process top-1 (reduced precision, may differ on a near tie): "
                     + ", ".join(f"{k} {v!r}" for k, v in reduced.items()) + ".")
    bg = [e.get("background_cores") for entries in results["raw"]["throughput"].values() for e in entries
          if e.get("background_cores") is not None]
    if bg:
        lines.append(f"Background load from other processes during the throughput runs: median "
                     f"{statistics.median(bg):.2f} cores, max {max(bg):.2f} (of {results['machine']['usable_cpus']}).")
    return lines


def machine_section(m):
    v = m["versions"]
    blas = ", ".join(f"{k} {ver}" for k, ver in m["openblas"].items()) or "not found"
    return ["### Machine", "",
            f"- CPU: {m['cpu']} ({m['usable_cpus']} usable of {m['logical_cpus']} logical CPUs; "
            f"{', '.join(m['cpu_flags']) or 'no AVX2'}), {m['memory_gib']} GiB, Linux {m['kernel']}",
            f"- torch {v['torch']}, transformers {v['transformers']}, onnxruntime {v['onnxruntime']}, "
            f"onnx {v['onnx']}, numpy {v['numpy']}, pillow {v['pillow']}, Python {m['python']}",
            f"- OpenBLAS: {blas}; {m['swift'] or 'swift not found'}; SwiftViT {m['swiftvit_commit']}"]


def markdown(results, args):
    lines = [f"## ViT inference on {results['machine']['cpu']}, {args.threads} threads", ""]
    lines += main_table(results, args) + [""] + notes(results, args) + [""]
    if results["ratios"]:
        lines += ratio_table(results, args) + [""]
    lines += details_table(results, args) + swift_details(results, args) + checks(results) + [""]
    lines += machine_section(results["machine"])
    return "\n".join(lines) + "\n"
