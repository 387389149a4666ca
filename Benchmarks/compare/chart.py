#!/usr/bin/env python3
"""Draws compare.py's results as a bar chart, and speed against fidelity (SVG or PNG, by the output's extension).

    python Benchmarks/compare/chart.py results.json chart.svg

Panels: latency at the first batch size (lower is better), throughput at the last batch size (higher is better),
peak RSS of a fresh process that loads the model and labels one image (lower is better), and, when the results
hold a fidelity measurement (compare.py --fidelity / --fidelity-count), throughput against the largest logit
difference from transformers float32 (up and left is better). Bars are medians, whiskers the range of the round
medians. A system whose binary was not built (or failed) gets a note instead of a bar. SwiftViT's bfloat16
bars are hatched when their kernels were emulated (a CPU without AVX512-BF16; int8 has a native kernel on every
x86 CPU with AVX2). The output is deterministic: the same results file gives the same bytes (fixed SVG hash salt, no date or
software stamp in the metadata).
"""

import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from systems import COLORS, NAMES, ORT, ORT_INT8, SHORT, SWIFT, SWIFT_BF16, SWIFT_INT8, TORCH  # noqa: E402

ORDER = [SWIFT, SWIFT_BF16, SWIFT_INT8, ORT, ORT_INT8, TORCH]


def status_note(entry):
    status = (entry or {}).get("status") or "not run"
    if status.startswith("not built"):
        return "not built"
    if status.startswith("failed"):
        return "failed"
    return status


def panel(ax, title, unit, values, better, hatched=()):
    """values: system -> (median, low, high) or a note string; hatched: systems drawn hatched (emulated)."""
    systems = [s for s in ORDER if s in values]
    positions = range(len(systems))
    top = max([v[2] for v in values.values() if isinstance(v, tuple)] or [1.0])
    for x, system in zip(positions, systems):
        v = values[system]
        if isinstance(v, tuple):
            median, low, high = v
            ax.bar(x, median, width=0.62, color=COLORS[system], zorder=2,
                   hatch="//" if system in hatched else None, edgecolor="#555555" if system in hatched else None)
            if high > low:
                ax.errorbar(x, median, yerr=[[median - low], [high - median]], fmt="none", ecolor="#333333",
                            elinewidth=1, capsize=4, zorder=3)
            label = f"{median:.0f}" if median >= 100 else f"{median:.2f}" if median < 10 else f"{median:.1f}"
            ax.text(x, high + top * 0.02, label, ha="center", va="bottom", fontsize=9)
        else:
            ax.text(x, top * 0.03, v, ha="center", va="bottom", fontsize=9, color="#666666", style="italic")
    ax.set_xlim(-0.6, len(systems) - 0.4)
    ax.set_xticks(list(positions))
    ax.set_xticklabels([SHORT[s] for s in systems], fontsize=8)
    ax.set_title(f"{title}\n({better} is better)", fontsize=10)
    ax.set_ylabel(unit, fontsize=9)
    ax.set_ylim(0, top * 1.18)
    ax.grid(axis="y", color="#dddddd", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def fidelity_panel(ax, results, images, hatched, thr_b):
    """Batch throughput (y) against max |Δlogit| from transformers fp32 (x, log scale), one point per system."""
    fidelity = (results.get("fidelity") or {}).get("systems") or {}
    points = [(s, fidelity[s]["max_abs"], images[s][0]) for s in ORDER
              if s in fidelity and isinstance(images.get(s), tuple) and fidelity[s]["max_abs"] > 0]
    ax.set_title(f"Speed against fidelity\n(batch-{thr_b} throughput; up and left is better)", fontsize=10)
    if not points:
        ax.text(0.5, 0.5, "no fidelity measurement\n(compare.py --fidelity FILE\nor --fidelity-count N)",
                ha="center", va="center", transform=ax.transAxes, fontsize=9, color="#666666", style="italic")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    for system, delta, speed in points:
        ax.scatter([delta], [speed], s=60, color=COLORS[system], zorder=3,
                   marker="s" if system in hatched else "o", edgecolors="#333333", linewidths=0.6)
        f = fidelity[system]
        ax.annotate(f"{NAMES[system]}\ntop-1 {100 * f['top1_agree'] / f['images']:.1f} %", (delta, speed),
                    textcoords="offset points", xytext=(6, 4), fontsize=7)
    ax.set_xscale("log")
    lows = [d for _, d, _ in points]
    ax.set_xlim(min(lows) / 4, max(lows) * 12)
    ax.set_ylim(0, max(v for _, _, v in points) * 1.3)
    ax.set_xlabel("max |Δlogit| vs transformers fp32 (log)"
                  + ("; squares: emulated kernels" if hatched else ""), fontsize=9)
    ax.set_ylabel("images / s", fontsize=9)
    ax.grid(color="#dddddd", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="compare.py --output file")
    parser.add_argument("output", help="chart file, .svg or .png")
    args = parser.parse_args()
    with open(args.results) as f:
        results = json.load(f)

    plt.rcParams["svg.hashsalt"] = "swiftvit-compare"
    plt.rcParams["svg.fonttype"] = "path"
    plt.rcParams["font.family"] = "DejaVu Sans"

    settings = results["settings"]
    batches = settings["batch_size"]
    lat_b, thr_b = str(batches[0]), str(batches[-1])
    throughput, process = results["throughput"], results.get("whole_process") or {}
    systems = [s for s in ORDER if s in throughput or s in process]

    latency, images, rss = {}, {}, {}
    hatched = {s for s in systems if "emulated" in ((throughput.get(s) or {}).get("gemm_kernel") or "")}
    for s in systems:
        t = throughput.get(s)
        if t and t.get("status") == "ok":
            lat = t["batches"][lat_b]["latency_ms"]
            latency[s] = (lat["median"], lat["min"], lat["max"])
            row = t["batches"][thr_b]
            per_round = row.get("images_per_second_rounds") or [row["images_per_second"]]
            images[s] = (row["images_per_second"], min(per_round), max(per_round))
        else:
            latency[s] = images[s] = status_note(t)
        p = process.get(s)
        if p and p.get("status") == "ok":
            r = p["peak_rss_mb"]
            rss[s] = (r["median"], r["min"], r["max"])
        else:
            rss[s] = status_note(p) if process else "not run"

    fig, axes = plt.subplots(1, 4, figsize=(17, 4.6))
    panel(axes[0], f"Batch-{lat_b} latency", "ms per batch", latency, "lower", hatched)
    panel(axes[1], f"Batch-{thr_b} throughput", "images / s", images, "higher", hatched)
    panel(axes[2], "Fresh process: load + 1 image,\npeak RSS", "MB", rss, "lower", hatched)
    fidelity_panel(axes[3], results, images, hatched, thr_b)
    machine, model = results["machine"], results["model"]
    geometry = (model.get("hidden_size"), model.get("num_hidden_layers"), model.get("patch_size"))
    name = "ViT-B/16" if geometry == (768, 12, 16) else \
        f"ViT ({model.get('num_hidden_layers')} layers × {model.get('hidden_size')}, patch {model.get('patch_size')})"
    emulated = "; hatched: emulated kernels (no AVX512-BF16 here)" if hatched else ""
    fig.suptitle(f"{name} at {model.get('image_size')} px on {machine['cpu']}, {settings['threads']} threads "
                 f"(bars: medians over rounds; whiskers: range over rounds{emulated})", fontsize=10)
    fig.tight_layout()

    fmt = os.path.splitext(args.output)[1].lstrip(".").lower() or "svg"
    if fmt == "svg":
        metadata = {"Date": None, "Creator": None}
    elif fmt == "png":
        metadata = {"Software": None}
    else:
        metadata = None
    fig.savefig(args.output, format=fmt, metadata=metadata, dpi=110)
    print(f"chart: wrote {args.output}")


if __name__ == "__main__":
    main()
