"""One measurement round of one Python system, in a process of its own.

compare.py starts this once per system per round, so PyTorch and ONNX Runtime never share a process,
its thread pools or its allocator state with each other or with the orchestrator:

    python bench_worker.py pytorch     --model DIR  --batch-size 1 --batch-size 8 --threads 2 --iterations 5 --warmup 2
    python bench_worker.py onnxruntime --onnx FILE  --batch-size 1 --batch-size 8 --threads 2 --iterations 5 --warmup 2

It prints ONE JSON object on stdout, shaped like vit-bench's so compare.py can read all three alike:
{"system", "threads", "load_ms", "peak_rss_mb", "results": [{"batch_size", "latency_ms": {"median","min","max"},
"images_per_second", "iterations_ms": [...]}]}.  Times are wall-clock (time.perf_counter) around one forward
call; the input is a fixed, seeded random pixel tensor (uniform in [-1, 1], the range normalised pixels have).
"""

import argparse
import json
import resource
import statistics
import sys
import time


def pixels(batch_size, image_size, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(batch_size, 3, image_size, image_size)).astype(np.float32)


def summarise(batch_size, times_s):
    ms = [t * 1000.0 for t in times_s]
    median = statistics.median(ms)
    return {
        "batch_size": batch_size,
        "latency_ms": {"median": median, "min": min(ms), "max": max(ms)},
        "images_per_second": batch_size * 1000.0 / median,
        "iterations_ms": ms,
    }


def time_calls(run, warmup, iterations):
    for _ in range(warmup):
        run()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def bench_pytorch(args):
    import torch
    from transformers import ViTForImageClassification

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    model = ViTForImageClassification.from_pretrained(args.model, dtype=torch.float32).eval()
    load_ms = (time.perf_counter() - start) * 1000.0
    image_size = model.config.image_size
    results = []
    with torch.inference_mode():
        for batch_size in args.batch_size:
            x = torch.from_numpy(pixels(batch_size, image_size))
            times = time_calls(lambda: model(pixel_values=x).logits, args.warmup, args.iterations)
            results.append(summarise(batch_size, times))
    versions = {"torch": torch.__version__, "torch_num_threads": torch.get_num_threads(),
                "torch_num_interop_threads": torch.get_num_interop_threads(),
                "attn_implementation": getattr(model.config, "_attn_implementation", None)}
    return load_ms, results, versions


def ort_session(onnx_path, threads):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])


def bench_onnxruntime(args):
    import onnxruntime as ort
    start = time.perf_counter()
    session = ort_session(args.onnx, args.threads)
    load_ms = (time.perf_counter() - start) * 1000.0
    shape = session.get_inputs()[0].shape  # ['batch', 3, H, W]
    image_size = shape[-1] if isinstance(shape[-1], int) else 224
    input_name = session.get_inputs()[0].name
    results = []
    for batch_size in args.batch_size:
        x = pixels(batch_size, image_size)
        times = time_calls(lambda: session.run(None, {input_name: x}), args.warmup, args.iterations)
        results.append(summarise(batch_size, times))
    return load_ms, results, {"onnxruntime": ort.__version__, "providers": session.get_providers()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("system", choices=["pytorch", "onnxruntime"])
    parser.add_argument("--model", help="Hugging Face ViT checkpoint folder (pytorch)")
    parser.add_argument("--onnx", help="exported .onnx file (onnxruntime)")
    parser.add_argument("--batch-size", type=int, action="append", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    if args.system == "pytorch":
        if not args.model:
            parser.error("pytorch needs --model")
        load_ms, results, extra = bench_pytorch(args)
    else:
        if not args.onnx:
            parser.error("onnxruntime needs --onnx")
        load_ms, results, extra = bench_onnxruntime(args)
    # ru_maxrss is in KiB on Linux.
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    json.dump({"system": args.system, "threads": args.threads, "load_ms": load_ms,
               "peak_rss_mb": peak_rss_mb, "results": results, "details": extra}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
