#!/usr/bin/env bash
# Builds the DocC documentation of the SwiftViT module with swift-docc-plugin, into
# .build/documentation/plugins/Swift-DocC/outputs/SwiftViT.doccarchive. Extra arguments go to the plugin
# (e.g. --warnings-as-errors, --transform-for-static-hosting --hosting-base-path SwiftViT).
#
# Why not just `swift package generate-documentation --target SwiftViT`: SwiftPM's symbol-graph extraction
# leaves out the types SwiftViT re-exports (ModelRepository, ViTConfiguration, the errors…), which are half of
# its API. The compiler's own symbol graph has them, so the module is built once with -emit-symbol-graph and
# that graph is handed to the plugin as well. A scratch folder of its own keeps these flags from forcing a
# rebuild of the ordinary .build.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build/documentation
graphs="$PWD/$scratch/symbol-graphs"
flags=(--scratch-path "$scratch" -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs/all")
mkdir -p "$graphs/all" "$graphs/SwiftViT"
swift build "${flags[@]}" --target SwiftViT
cp "$graphs/all/SwiftViT.symbols.json" "$graphs/SwiftViT/"
swift package "${flags[@]}" generate-documentation --target SwiftViT --additional-symbol-graph-dir "$graphs/SwiftViT" "$@"
