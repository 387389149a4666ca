"""Load-tests vit-serve and a FastAPI + uvicorn + ONNX Runtime server side by side, in one run, with wrk.

    python bench.py --model DIR --onnx FILE.onnx [--image FILE] [--concurrency 1 4 16 64] [--overload 256]
                    [--duration 30] [--settle 8] [--output results.json] [--markdown results.md]

For every concurrency level each server is started, warmed up with an untimed wrk run (whose abandoned requests it
is then left to answer: see drain), measured with wrk POSTing
the same image, and stopped, one server at a time, in an order that alternates from level to level, so all see
the same machine state (`--rounds N` repeats it all and reports medians). Throughput counts the answers completed
after the run's first `--settle` seconds (see wrk()). `vit-bench --batch-size 8` runs before and after
(the medians of its two runs are the in-process reference). Also measured: vit-serve's time from spawn to
`/ready` 200, its RSS idle after loading and after the load, and under an overload of `--overload` clients its
answers by status and the peak RSS (sampled every 50 ms, and VmHWM).
"""

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(rf"{field}:\s+(\d+)", f.read()).group(1)) / 1024


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, process, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1).status == 200:
                return
        except Exception:
            pass
        time.sleep(0.005)
    raise RuntimeError("server not ready in time")


def start_vit_serve(args):
    start = time.perf_counter()
    process = subprocess.Popen([args.vit_serve, "--model", args.model, "--port", "0", "--threads", str(args.threads),
                                "--max-batch", str(args.max_batch), "--max-queue", str(args.max_queue),
                                "--max-wait-ms", str(args.max_wait_ms)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(process.stdout.readline().strip().rsplit(":", 1)[1])
    wait_ready(port, process)
    return process, port, time.perf_counter() - start


def start_ort_server(args, one_at_a_time):
    port = free_port()
    command = [args.python, os.path.join(HERE, "ort_server.py"), "--onnx", args.onnx, "--model", args.model,
               "--port", str(port), "--threads", str(args.threads)] + (["--one-at-a-time"] if one_at_a_time else [])
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port, process)
    return process, port


def wrk(port, connections, duration, image, settle=0.0):
    """One wrk run of `duration` seconds. Throughput counts the answers 200 completed after its first `settle`
    seconds, over the rest of the run (`images_per_s`; with settle 0, all answers over the whole run).

    A run starts with no request in flight and stops with `connections` of them partly computed, which its count
    leaves out: the whole-run rate (`window_images_per_s`) undercounts by that unfinished work, and by a different
    amount per server — up to a whole batch for vit-serve, whose answers leave eight at a time (at 16 clients on a
    1.34 s batch, 14 or 15 batches in 20 s: 5.6 or 6.0 img/s for the same server), about half of the sixteen
    requests the thread-pool ORT server runs at once, almost nothing for the one-at-a-time one. Counting from
    `settle` on, once the server holds as much unfinished work as it will at the end, leaves the same out at both
    ends for every server."""
    command = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{duration}s",
               "--timeout", "120s", "-s", os.path.join(HERE, "post_image.lua"),
               f"http://127.0.0.1:{port}/v1/classify?top_k=5"]
    output = subprocess.run(command, capture_output=True, text=True,
                            env={**os.environ, "IMAGE": image, "SETTLE_SECONDS": str(settle)},
                            timeout=duration + 180).stdout
    line = next(l for l in output.splitlines() if l.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    seconds = result["duration_us"] / 1e6
    ok = result["statuses"].get("200", 0)
    settled_seconds = seconds - result["settle_us"] / 1e6
    return {"connections": connections, "requests": result["requests"], "ok": ok,
            "failed": result["requests"] - ok + result["socket_errors"], "statuses": result["statuses"],
            "socket_errors": result["socket_errors"],
            "images_per_s": result["ok_after_settle"] / settled_seconds if settled_seconds > 0 else 0.0,
            "window_images_per_s": ok / seconds,
            "p50_ms": result["p50_us"] / 1000, "p90_ms": result["p90_us"] / 1000,
            "p99_ms": result["p99_us"] / 1000, "max_ms": result["max_us"] / 1000}


def drain(port, image):
    """Waits until the server has answered what the untimed run left behind.

    wrk stops by closing its connections with a request in flight on each; the server still computes those
    (`connections` of them, two batches at 16 clients), so a measured run started at once would see its first
    requests queue behind them — a backlog of the warm-up, not of the load measured, which at 16 clients made
    the run's slowest requests (its p99) about one batch time slower than any later one. Two requests of our
    own, one after the other: the first is answered after that backlog, the second by an idle server.
    """
    with open(image, "rb") as f:
        body = f.read()
    for _ in range(2):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/classify?top_k=5", data=body,
                                         headers={"Content-Type": "application/octet-stream"})
        with urllib.request.urlopen(request, timeout=300) as response:
            response.read()


def vit_bench(args):
    output = subprocess.run([args.vit_bench, "--model", args.model, "--batch-size", "1", "--batch-size", "8",
                             "--threads", str(args.threads), "--iterations", str(args.bench_iterations),
                             "--warmup", "1", "--format", "json"], capture_output=True, text=True, check=True).stdout
    report = json.loads(output)
    by_batch = {r["batch_size"]: r for r in report["results"]}
    return {str(b): {"latency_ms": r["latency_ms"]["median"], "images_per_s": r["images_per_second"]}
            for b, r in by_batch.items()}


class RSSSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except FileNotFoundError:
                return
            time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--onnx", required=True)
    parser.add_argument("--image", default=os.path.join(REPO, "Fixtures/images/photos/chelsea.jpg"))
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--overload", type=int, default=256)
    parser.add_argument("--duration", type=int, default=30,
                        help="seconds per measured run; at least several times the slowest request's latency")
    parser.add_argument("--settle", type=float, default=8,
                        help="seconds at the start of each measured run whose answers throughput does not count: "
                             "at least the slowest request's latency, so the servers' pipelines are full")
    parser.add_argument("--warmup-seconds", type=int, default=3, help="untimed wrk run before each measured one")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every level this often; medians reported")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument("--max-queue", type=int, default=64)
    parser.add_argument("--max-wait-ms", type=float, default=5)
    parser.add_argument("--bench-iterations", type=int, default=5)
    parser.add_argument("--vit-serve", default=os.path.join(REPO, ".build/release/vit-serve"))
    parser.add_argument("--vit-bench", default=os.path.join(REPO, ".build/release/vit-bench"))
    parser.add_argument("--python", default=sys.executable, help="python with fastapi, uvicorn, onnxruntime")
    parser.add_argument("--ort-variants", nargs="+", default=["threadpool", "one-at-a-time"])
    parser.add_argument("--output")
    parser.add_argument("--markdown")
    args = parser.parse_args()
    if not 0 <= args.settle < args.duration:
        parser.error(f"--settle ({args.settle} s) must be at least 0 and less than --duration ({args.duration} s)")

    results = {"machine": {"cpus": os.cpu_count(), "note": "shared with other work; quote ratios"},
               "settings": {k: v for k, v in vars(args).items() if k not in ("output", "markdown")}}
    benches = [vit_bench(args)]
    names = ["vit-serve"] + [f"ort-{v}" for v in args.ort_variants]
    runs = {name: [[] for _ in args.concurrency] for name in names}
    for round_index in range(args.rounds):
        for level, connections in enumerate(args.concurrency):
            # One server at a time (an idle ONNX Runtime session still spins its threads for a while), in an
            # order that alternates from level to level and round to round.
            order = names if (level + round_index) % 2 == 0 else list(reversed(names))
            for name in order:
                server, port = start(args, name, results)
                try:
                    wrk(port, connections, args.warmup_seconds, args.image)          # untimed: first batches
                    drain(port, args.image)
                    runs[name][level].append(wrk(port, connections, args.duration, args.image, args.settle))
                    print(name, json.dumps(runs[name][level][-1]), flush=True)
                    if name == "vit-serve":
                        results["vit_serve_rss_after_load_mb"] = max(
                            results.get("vit_serve_rss_after_load_mb", 0), rss_mb(server.pid))
                finally:
                    stop(server, results if name == "vit-serve" else None)
    results["runs"] = runs
    results["summary"] = {name: [median_run(level_runs) for level_runs in runs[name]] for name in names}
    results["overload"] = overload(args, results)
    benches.append(vit_bench(args))
    results["vit_bench_runs"] = benches
    results["vit_bench"] = {b: {k: statistics.median(run[b][k] for run in benches) for k in benches[0][b]}
                            for b in benches[0]}
    if args.output:
        with open(args.output, "w") as f:
            json.dump(results, f, indent=1)
    text = markdown(results)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)


def start(args, name, results):
    """Starts server `name`; for vit-serve, records the first start's time to ready and idle RSS."""
    if name != "vit-serve":
        return start_ort_server(args, name == "ort-one-at-a-time")
    server, port, ready_s = start_vit_serve(args)
    if "vit_serve_ready_s" not in results:
        results["vit_serve_ready_s"] = ready_s
        time.sleep(1)
        results["vit_serve_idle_rss_mb"] = rss_mb(server.pid)
    return server, port


def stop(server, results):
    server.terminate()
    try:
        status = server.wait(timeout=60)
    except subprocess.TimeoutExpired:        # still finishing requests wrk gave up on
        server.kill()
        status = server.wait()
    if results is not None:
        results.setdefault("vit_serve_exit_statuses", []).append(status)


def median_run(level_runs):
    """The median of each number over the rounds of one level (statuses summed)."""
    keys = [k for k in level_runs[0] if isinstance(level_runs[0][k], (int, float))]
    summary = {k: statistics.median(r[k] for r in level_runs) for k in keys}
    summary["failed"] = sum(r["failed"] for r in level_runs)
    return summary


def overload(args, results):
    """`--overload` clients on a fresh vit-serve: answers by status, peak RSS; then SIGTERM."""
    server, port = start(args, "vit-serve", results)
    try:
        sampler = RSSSampler(server.pid)
        sampler.start()
        result = wrk(port, args.overload, args.duration, args.image)
        sampler.running = False
        sampler.join()
        result["peak_rss_mb"] = sampler.peak
        result["vm_hwm_mb"] = rss_mb(server.pid, "VmHWM")
        result["server_alive"] = server.poll() is None
        print("overload", json.dumps(result), flush=True)
    finally:
        stop(server, results)
    return result


def markdown(results):
    b8 = results["vit_bench"]["8"]
    lines = [f"vit-bench (in-process, same run, median of {len(results['vit_bench_runs'])}): batch 8 "
             f"{b8['images_per_s']:.2f} img/s, {b8['latency_ms']:.0f} ms per batch; batch 1 "
             f"{results['vit_bench']['1']['latency_ms']:.0f} ms", "",
             f"img/s: answers 200 completed after the first {results['settings']['settle']:g} s of each "
             f"{results['settings']['duration']} s run, per second (whole run in brackets)", "",
             "| clients | server | img/s | p50 ms | p99 ms | failed |", "|---:|---|---:|---:|---:|---:|"]
    for index, connections in enumerate(results["settings"]["concurrency"]):
        for name, levels in results["summary"].items():
            r = levels[index]
            lines.append(f"| {connections} | {name} | {r['images_per_s']:.2f} ({r['window_images_per_s']:.2f}) "
                         f"| {r['p50_ms']:.0f} | {r['p99_ms']:.0f} "
                         f"| {r['failed']} |")
    o = results["overload"]
    lines += ["", f"overload, {o['connections']} clients on vit-serve: statuses {o['statuses']}, socket errors "
              f"{o['socket_errors']}, peak RSS {o['peak_rss_mb']:.0f} MB (VmHWM {o['vm_hwm_mb']:.0f} MB), "
              f"alive after: {o['server_alive']}",
              f"vit-serve: ready {results['vit_serve_ready_s']:.2f} s after spawn; idle RSS "
              f"{results['vit_serve_idle_rss_mb']:.0f} MB after loading, {results['vit_serve_rss_after_load_mb']:.0f} MB "
              f"during the runs; exit statuses after SIGTERM {sorted(set(results['vit_serve_exit_statuses']))}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
