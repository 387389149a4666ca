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

if [ -n "${VENV:-}" ]; then
  venv="$VENV"
else
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  venv="$scratch/venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "run.sh: creating venv $venv and installing $here/requirements.txt" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi

bin_dir="$repo/.build/release"
if [ -z "${SKIP_BUILD:-}" ]; then
  (cd "$repo" && swift build -c release --product vit-classify)
  bin_dir="$(cd "$repo" && swift build -c release --show-bin-path)"
fi

# The default first: a --vit-classify given on the command line comes later and wins.
"$venv/bin/python" "$here/fidelity.py" --vit-classify "$bin_dir/vit-classify" "$@"
