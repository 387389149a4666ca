#!/usr/bin/env bash
# Rebuilds everything under Fixtures/ from scratch in a throwaway venv with pinned versions.
#   Fixtures/generate/run.sh              # all fixtures
#   Fixtures/generate/run.sh images       # one part: images | weights | models
# Set VENV=/path/to/venv to reuse an existing venv that already has requirements.txt installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${VENV:-$(mktemp -d)/venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
cd "$here"
"$venv/bin/python" generate.py "$@"
