#!/usr/bin/env bash
# Builds SwiftViT's benchmark binaries, then compares them with PyTorch + transformers and ONNX Runtime.
#
#   Benchmarks/compare/run.sh --model DIR [compare.py options ...]
#
#   VENV=/path/to/venv  use this venv (created and filled from requirements.txt if it has no python yet);
#                       without VENV a throwaway venv is made in a temporary folder and deleted afterwards
#   SKIP_BUILD=1        do not run `swift build`; use whatever binaries .build/release holds
#
# If the Swift build fails, the comparison still runs and SwiftViT's rows say "not built" or "failed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

source "$here/../venv.sh"
prepare_venv "$here/requirements.txt"

bin_dir="$repo/.build/release"
if [ -z "${SKIP_BUILD:-}" ]; then
  # `swift build --product` takes one product (a second --product replaces the first): two builds, the second
  # one incremental.
  if (cd "$repo" && swift build -c release --product vit-bench && swift build -c release --product vit-classify); then
    bin_dir="$(cd "$repo" && swift build -c release --show-bin-path)"
  else
    echo "run.sh: swift build failed; continuing, SwiftViT's rows will say so" >&2
  fi
fi

# Defaults first: a --vit-bench / --vit-classify given on the command line comes later and wins.
"$venv/bin/python" "$here/compare.py" \
  --vit-bench "$bin_dir/vit-bench" --vit-classify "$bin_dir/vit-classify" "$@"
