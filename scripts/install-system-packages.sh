#!/usr/bin/env bash
# Installs the Debian packages SwiftViT builds and links against. Idempotent; needs root (or sudo).
set -euo pipefail
packages=(
  libopenblas-dev      # GEMM (cblas_sgemm) and openblas_set_num_threads
  liblapacke-dev       # LAPACKE
  libturbojpeg0-dev    # JPEG decoding (libjpeg-turbo's TurboJPEG API)
  libjpeg62-turbo-dev  # libjpeg-turbo itself
  libpng-dev           # PNG decoding
  zlib1g-dev           # zlib (libpng's inflate, used directly for text chunks)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi
