#!/usr/bin/env bash
# Load-tests vit-serve against FastAPI + uvicorn + ONNX Runtime on the same model, with wrk.
#
#   Benchmarks/serve/run.sh --model DIR --onnx FILE.onnx [bench.py options ...]
#
#   VENV=/path/to/venv  the venv for the ORT server (default $TMPDIR/vit-serve-bench-venv), created and filled
#                       from requirements.txt if it has no python yet
#   SKIP_BUILD=1        do not run `swift build`; use whatever binaries .build/release holds
#
# The ONNX file comes from Benchmarks/compare/export_onnx.py (in a venv with Benchmarks/compare/requirements.txt):
#   python Benchmarks/compare/export_onnx.py --model DIR --output FILE.onnx
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

command -v wrk > /dev/null || { echo "run.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }
# The venv is kept between runs (its packages are pinned): VENV, or one under $TMPDIR.
source "$here/../venv.sh"
prepare_venv "$here/requirements.txt" "${TMPDIR:-/tmp}/vit-serve-bench-venv"

bin_dir="$repo/.build/release"
if [ -z "${SKIP_BUILD:-}" ]; then
  (cd "$repo" && swift build -c release --product vit-serve && swift build -c release --product vit-bench)
  bin_dir="$(cd "$repo" && swift build -c release --show-bin-path)"
fi

"$venv/bin/python" "$here/bench.py" --python "$venv/bin/python" \
  --vit-serve "$bin_dir/vit-serve" --vit-bench "$bin_dir/vit-bench" "$@"
