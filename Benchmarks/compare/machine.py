"""What machine and software a run measured on, for the report."""

import importlib.metadata
import os
import platform
import shutil
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
                    return [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile") if f in flags]
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
