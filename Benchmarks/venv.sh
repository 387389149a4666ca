# Sourced by the benchmarks' run.sh scripts (bash): the Python venv they run in.
#
#   prepare_venv REQUIREMENTS [KEPT_DIR]
#
# Sets `venv` to $VENV when given, else to KEPT_DIR when given (a venv kept between runs), else to a
# throwaway venv in a temporary folder deleted when the script exits. A venv with no python yet is
# created and filled from REQUIREMENTS (pinned versions), so a second run reuses it as it is.
prepare_venv() {
  local requirements="$1" kept="${2:-}"
  if [ -n "${VENV:-}" ]; then
    venv="$VENV"
  elif [ -n "$kept" ]; then
    venv="$kept"
  else
    venv_scratch="$(mktemp -d)"
    trap 'rm -rf "$venv_scratch"' EXIT
    venv="$venv_scratch/venv"
  fi
  if [ ! -x "$venv/bin/python" ]; then
    echo "run.sh: creating venv $venv and installing $requirements" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$requirements"
  fi
}
