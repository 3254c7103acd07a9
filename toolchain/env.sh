# Shared paths for every toolchain script and Makefile (source it; do not run it).
# WASMTUI_CACHE holds everything heavy (sysroots, wasm-tools, wac, cargo home) so a
# second install or build takes seconds. Override it to move the cache.
: "${WASMTUI_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/wasmtui}"
export WASMTUI_CACHE
export WASMTUI_TOOLS="$WASMTUI_CACHE/tools"           # cargo install --root (wasm-tools, wac)
export WASMTUI_SYSROOT="$WASMTUI_CACHE/sysroot"       # wasm std for Debian's rustc 1.96
export WASMTUI_CARGO_HOME="$WASMTUI_CACHE/cargo-home" # crates.io downloads for guest builds
# Debian's rustc-web, never rustup's shims (rustup cannot add wasm targets here).
export WASMTUI_RUSTC=/usr/bin/rustc
export WASMTUI_CARGO=/usr/bin/cargo
export WASMTUI_WASM_LD=/usr/bin/wasm-ld-22
