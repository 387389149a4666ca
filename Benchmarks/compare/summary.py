"""Medians over rounds, and the SwiftViT / other ratios from the same run."""

import statistics

from systems import RATIO_BASELINES, SWIFT_SYSTEMS


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
            if system in SWIFT_SYSTEMS:
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
        if system in SWIFT_SYSTEMS:
            for key in ("fma_peak_gflops", "compute_peak_gflops"):
                roofs = [float(e["report"][key]) for e in ok if isinstance(e["report"].get(key), (int, float))]
                if roofs:
                    item[key] = statistics.median(roofs)
            # Which kernels ran: on a CPU without AVX512-BF16 / VNNI the reduced precisions are emulated.
            for key in ("compute", "gemm_kernel", "isa", "compute_roof_instruction"):
                if isinstance(ok[0]["report"].get(key), str):
                    item[key] = ok[0]["report"][key]
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
    """{"<swift system>/<baseline>": ratios} for every SwiftViT system against ORT fp32, ORT int8 and PyTorch."""
    out = {}
    lat_b, thr_b = str(args.batch_size[0]), str(args.batch_size[-1])
    for mine in SWIFT_SYSTEMS:
        ours = summary.get(mine, {})
        for other in RATIO_BASELINES[mine]:
            theirs = summary.get(other, {})
            if ours.get("status") != "ok" or theirs.get("status") != "ok":
                continue
            out[f"{mine}/{other}"] = {
                f"batch{lat_b}_latency": ours["batches"][lat_b]["latency_ms"]["median"]
                / theirs["batches"][lat_b]["latency_ms"]["median"],
                f"batch{lat_b}_latency_rounds": paired_ratios(raw, mine, other, int(lat_b), "latency"),
                f"batch{thr_b}_throughput": ours["batches"][thr_b]["images_per_second"]
                / theirs["batches"][thr_b]["images_per_second"],
                f"batch{thr_b}_throughput_rounds": paired_ratios(raw, mine, other, int(thr_b), "throughput"),
            }
        for other in RATIO_BASELINES[mine]:
            p_ours, p_theirs = process.get(mine, {}), process.get(other, {})
            if p_ours.get("status") == "ok" and p_theirs.get("status") == "ok":
                item = out.setdefault(f"{mine}/{other}", {})
                item["process_wall"] = p_ours["wall_s"]["median"] / p_theirs["wall_s"]["median"]
                item["process_peak_rss"] = p_ours["peak_rss_mb"]["median"] / p_theirs["peak_rss_mb"]["median"]
    return out
