#!/usr/bin/env bash
# Builds vit-classify, then measures SwiftViT's float32 / bfloat16 / int8 and ONNX Runtime's fp32 / int8
# against transformers' float32 logits (fidelity.py).
#
#   Benchmarks/fidelity/run.sh --model DIR [fidelity.py options ...]
#
#   VENV=/path/to/venv  use this venv (created and filled from requirements.txt if it has no python yet);
#                       without VENV a throwaway venv is made in a temporary folder and deleted afterwards
#   SKIP_BUILD=1        do not run `swift build`; use whatever .build/release holds
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

source "$here/../venv.sh"
prepare_venv "$here/requirements.txt"

bin_dir="$repo/.build/release"
if [ -z "${SKIP_BUILD:-}" ]; then
  (cd "$repo" && swift build -c release --product vit-classify)
  bin_dir="$(cd "$repo" && swift build -c release --show-bin-path)"
fi

# The default first: a --vit-classify given on the command line comes later and wins.
"$venv/bin/python" "$here/fidelity.py" --vit-classify "$bin_dir/vit-classify" "$@"
