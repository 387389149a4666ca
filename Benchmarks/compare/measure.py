"""Running one measured child process: wall time, peak RSS, and the machine's background load during it."""

import json
import os
import signal
import subprocess
import tempfile
import threading
import time


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
    candidates = [text] + [line.strip() for line in reversed(text.strip().splitlines()) if line.strip().startswith("{")]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
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
