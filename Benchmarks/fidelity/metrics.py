"""How far a configuration's logits are from the reference's, and the Markdown table of it."""

import numpy as np


def top_k(logits, k):
    """Indices of the k largest logits per row, largest first, ties to the lower index (a stable sort)."""
    return np.argsort(-logits, axis=1, kind="stable")[:, :k]


def reference_scale(reference):
    """What the reference logits look like: their spread and how decisive each image's top-1 is."""
    ordered = np.sort(reference, axis=1)[:, ::-1]
    margin = ordered[:, 0] - ordered[:, 1] if reference.shape[1] > 1 else np.zeros(reference.shape[0])
    return {"images": int(reference.shape[0]), "labels": int(reference.shape[1]),
            "min": float(reference.min()), "max": float(reference.max()),
            "std": float(reference.std()),
            "median_range_per_image": float(np.median(ordered[:, 0] - ordered[:, -1])),
            "top1_margin": {"median": float(np.median(margin)), "min": float(margin.min()),
                            "p10": float(np.percentile(margin, 10))}}


def compare(logits, reference):
    """Distance of `logits` from `reference` (both [images, labels])."""
    delta = np.abs(logits - reference)
    per_image = delta.max(axis=1)
    k = min(5, reference.shape[1])
    ours, theirs = top_k(logits, k), top_k(reference, k)
    top1 = int((ours[:, 0] == theirs[:, 0]).sum())
    top5 = int(sum(set(a) == set(b) for a, b in zip(ours, theirs)))
    # Of the images whose top-1 changed, how close the reference's top two were: a flip on a near-tie is
    # what any rounding does; a flip on a decisive image would be a bug.
    ordered = np.sort(reference, axis=1)[:, ::-1]
    margins = (ordered[:, 0] - ordered[:, 1]) if reference.shape[1] > 1 else np.zeros(len(reference))
    flipped = margins[ours[:, 0] != theirs[:, 0]]
    return {"max_abs": float(delta.max()), "median_abs": float(np.median(delta)),
            "mean_abs": float(delta.mean()), "p99_abs": float(np.percentile(delta, 99)),
            "per_image_max": {"median": float(np.median(per_image)), "p90": float(np.percentile(per_image, 90))},
            "relative_rms": float(np.sqrt(((logits - reference) ** 2).mean()) / max(reference.std(), 1e-30)),
            "top1_agree": top1, "top5_set_agree": top5, "images": int(len(reference)), "top_k": k,
            "flipped_top1_reference_margin_max": float(flipped.max()) if flipped.size else None}


def fmt(x):
    if x is None:
        return "–"
    if x == 0:
        return "0"
    return f"{x:.2g}" if abs(x) < 1e-3 else f"{x:.3g}"


def table(results):
    """One Markdown table for one model: a row per configuration."""
    rows = ["| configuration | max \\|Δlogit\\| | median \\|Δlogit\\| | per-image max \\|Δlogit\\|, median "
            "| top-1 agreement | top-5 set agreement | largest reference top-1 margin among top-1 changes "
            "| wall s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for entry in results["configurations"].values():
        if "error" in entry:
            rows.append(f"| {entry['label']} | failed: {entry['error'][:120]} | | | | | | |")
            continue
        m = entry["metrics"]
        n = m["images"]
        seconds = entry.get("seconds")
        rows.append(f"| {entry['label']} | {fmt(m['max_abs'])} | {fmt(m['median_abs'])} "
                    f"| {fmt(m['per_image_max']['median'])} "
                    f"| {m['top1_agree']}/{n} ({100 * m['top1_agree'] / n:.1f} %) "
                    f"| {m['top5_set_agree']}/{n} ({100 * m['top5_set_agree'] / n:.1f} %) "
                    f"| {fmt(m['flipped_top1_reference_margin_max'])} "
                    f"| {'–' if seconds is None else f'{seconds:.0f}'} |")
    return "\n".join(rows)


def markdown(results):
    s = results["reference_scale"]
    lines = [f"### {results['model_name']} ({s['images']} images, {s['labels']} labels, "
             f"{results['settings']['processor']} backend)", "",
             f"Reference: transformers {results['versions'].get('transformers')} float32. Its logits: "
             f"range {s['min']:.3g} … {s['max']:.3g}, std {s['std']:.3g}; per image the top-1 leads the "
             f"runner-up by {s['top1_margin']['median']:.3g} (median; 10 % of images under "
             f"{s['top1_margin']['p10']:.3g}).", "", table(results), ""]
    notes = [f"- {entry['label']}: {entry['description']}" for entry in results["configurations"].values()
             if entry.get("description")]
    emulated = [entry["label"] for entry in results["configurations"].values()
                if any("emulated" in line for line in entry.get("kernels") or [])]
    lines += notes + [f"- Wall seconds: the whole configuration on {results['machine']['model']} "
                      f"({', '.join(results['machine']['flags'])}), {results['settings']['threads']} threads, a "
                      f"shared machine: a rough cost, not a benchmark"
                      + (f"; {', '.join(emulated)} ran emulated kernels (same results, slower)" if emulated else "")
                      + "."]
    return "\n".join(lines) + "\n"
