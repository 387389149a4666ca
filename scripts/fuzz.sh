#!/usr/bin/env bash
# Builds the libFuzzer + AddressSanitizer harnesses in Fuzz/ and runs them (Documentation/Fuzzing.md).
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags…]   fuzz one target for SECONDS
#   scripts/fuzz.sh all SECONDS [libFuzzer flags…]      each target in turn, SECONDS each
#   scripts/fuzz.sh TARGET --run FILE…                  run the harness on FILEs once (reproduce a crash)
#   scripts/fuzz.sh --list                              the targets
#
# Targets: image, safetensors, shard-index, model-config, preprocessor-config, json.
# The build goes to .build-fuzz (debug; FUZZ_CONFIGURATION=release for ~2× the executions per
# second at a longer build); the corpus each run grows is kept in .build-fuzz/corpus/TARGET, and
# crashing, leaking or timing-out inputs land in .build-fuzz/findings/TARGET/. Exit status: 0 when
# nothing was found, 1 when a target found something (all: after running every target), 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scratch=$root/.build-fuzz
configuration=${FUZZ_CONFIGURATION:-debug}

targets=(image safetensors shard-index model-config preprocessor-config json)

# target → harness executable, seed folders (committed; Fixtures reused where they fit), dictionary, -max_len.
describe() {
    case $1 in
        image) harness=FuzzImage; dictionary=image.dict; max_len=65536
               seeds=(Fuzz/Regressions/image Fixtures/images/crafted) ;;
        safetensors) harness=FuzzSafetensors; dictionary=safetensors.dict; max_len=4096
               seeds=(Fuzz/Regressions/safetensors Fuzz/Seeds/safetensors) ;;
        shard-index) harness=FuzzShardIndex; dictionary=json.dict; max_len=8192
               seeds=(Fuzz/Regressions/shard-index Fuzz/Seeds/shard-index) ;;
        model-config) harness=FuzzModelConfig; dictionary=json.dict; max_len=8192
               seeds=(Fuzz/Regressions/model-config Fuzz/Seeds/model-config) ;;
        preprocessor-config) harness=FuzzPreprocessorConfig; dictionary=json.dict; max_len=4096
               seeds=(Fuzz/Regressions/preprocessor-config Fixtures/images/configs) ;;
        json) harness=FuzzJSON; dictionary=json.dict; max_len=4096
               seeds=(Fuzz/Regressions/json Fuzz/Seeds/json Fuzz/Seeds/model-config Fuzz/Seeds/shard-index) ;;
        *) echo "fuzz.sh: no target '$1' (targets: ${targets[*]}, or all)" >&2; exit 2 ;;
    esac
}

usage() { sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

build() {
    echo "fuzz.sh: building the harnesses ($configuration, -sanitize=fuzzer,address) into .build-fuzz" >&2
    local start=$SECONDS
    # The sanitizer flags are in Fuzz/Package.swift, on the modules under test only.
    swift build --package-path Fuzz --scratch-path "$scratch" -c "$configuration" 2>&1 \
        | grep -v -e "ld.gold: warning: Cannot export local symbol" >&2 || true
    [[ ${PIPESTATUS[0]} == 0 ]] || { echo "fuzz.sh: the build failed" >&2; exit 2; }
    echo "fuzz.sh: built in $((SECONDS - start)) s" >&2
    bin=$(swift build --package-path Fuzz --scratch-path "$scratch" -c "$configuration" --show-bin-path)
}

# Swift's own crash backtracer would catch the signal before libFuzzer and ASan could report it.
export SWIFT_BACKTRACE=enable=no
# Leaks are reported per input only when they repeat (libFuzzer's -detect_leaks); Swift's runtime
# caches are not leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}

# fuzz TARGET SECONDS [flags…]: returns 0 if nothing was found.
fuzz() {
    local target=$1 seconds=$2
    shift 2
    describe "$target"
    local corpus=$scratch/corpus/$target findings=$scratch/findings/$target
    mkdir -p "$corpus" "$findings"
    local existing=()
    for folder in "${seeds[@]}"; do [[ -d $folder ]] && existing+=("$folder"); done
    echo "fuzz.sh: $target for $seconds s (corpus .build-fuzz/corpus/$target, findings .build-fuzz/findings/$target/)" >&2
    local log=$scratch/$target.log status=0
    "$bin/$harness" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -dict="Fuzz/Dictionaries/$dictionary" -artifact_prefix="$findings/" -print_final_stats=1 \
        "$@" "$corpus" "${existing[@]}" > "$log" 2>&1 || status=$?
    # The summary: executions, rate, coverage, corpus.
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^#[0-9]+ +DONE" "$log" >&2 || true
    if [[ $status != 0 ]]; then
        echo "fuzz.sh: $target FOUND A PROBLEM (exit $status); the input is in .build-fuzz/findings/$target/:" >&2
        grep -E "ERROR: |Fatal error|SUMMARY|Test unit written|Precondition failed" "$log" | head -20 >&2 || true
        echo "fuzz.sh: full log: .build-fuzz/$target.log" >&2
        return 1
    fi
}

[[ $# -ge 1 ]] || usage
if [[ $1 == --list ]]; then printf '%s\n' "${targets[@]}"; exit 0; fi
[[ $# -ge 2 ]] || usage
target=$1
shift

if [[ $1 == --run ]]; then
    shift
    [[ $# -ge 1 ]] || usage
    describe "$target"
    build
    mkdir -p "$scratch/findings/$target"
    exec "$bin/$harness" -runs=1 -artifact_prefix="$scratch/findings/$target/" "$@"
fi

seconds=$1
shift
[[ $seconds =~ ^[0-9]+$ ]] || usage
[[ $target == all ]] || describe "$target"
build
failed=()
for name in $([[ $target == all ]] && echo "${targets[@]}" || echo "$target"); do
    fuzz "$name" "$seconds" "$@" || failed+=("$name")
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz.sh: findings in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: nothing found" >&2
