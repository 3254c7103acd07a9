#!/usr/bin/env bash
# Build Rust's std for one wasm target, offline, from Debian's rust-web-src, into
# $WASMTUI_SYSROOT. rustup can't download wasm targets on these machines; Debian's
# rustc 1.96 plus its vendored std sources can build them (see ../shared/TOOLCHAIN.md).
# Idempotent: a target already built is skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
target=$1
src=/usr/lib/rustlib/src/rust
libdir="$WASMTUI_SYSROOT/lib/rustlib/$target/lib"
stamp="$libdir/.wasmtui-$("$WASMTUI_RUSTC" --version | tr -c 'a-zA-Z0-9.\n' _)"
if [ -f "$stamp" ]; then exit 0; fi
for need in "$src/library/vendor" "$WASMTUI_RUSTC" "$WASMTUI_CARGO"; do
  [ -e "$need" ] || { echo "sysroot: $need is missing; run: make install (apt-get install rustc-web cargo-web rust-web-src lld-22 wasi-libc)" >&2; exit 1; }
done
echo "sysroot: building std for $target (about a minute, once)" >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/wasmtui-sysroot.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Debian stripped libwit_bindgen_cabi.a from the vendored wit-bindgen; its build script
# needs the file to exist. An empty archive is enough for std (std never calls into it).
cp -r "$src/library/vendor" "$work/vendor"
for d in "$work"/vendor/wit-bindgen-*/src/rt; do
  [ -f "$d/libwit_bindgen_cabi.a" ] || llvm-ar-22 rc "$d/libwit_bindgen_cabi.a"
done
mkdir -p "$work/home" "$work/crate/src"
cat > "$work/home/config.toml" <<TOML
[source.crates-io]
replace-with = "vendored"
[source.vendored]
directory = "$work/vendor"
TOML
cat > "$work/crate/Cargo.toml" <<TOML
[package]
name = "sysroot-probe"
version = "0.0.0"
edition = "2021"
[lib]
path = "src/lib.rs"
TOML
echo '#![no_std]' > "$work/crate/src/lib.rs"
(cd "$work/crate" && CARGO_HOME="$work/home" RUSTC="$WASMTUI_RUSTC" RUSTC_BOOTSTRAP=1 \
  "$WASMTUI_CARGO" build -q --offline --release -Zbuild-std=std,panic_abort --target "$target")
mkdir -p "$libdir"
rm -f "$libdir"/*.rlib
cp "$work/crate/target/$target/release/deps/"*.rlib "$libdir/"
host="$WASMTUI_SYSROOT/lib/rustlib/x86_64-unknown-linux-gnu"
ln -sfn /usr/lib/rustlib/x86_64-unknown-linux-gnu "$host"  # both targets may race here
case "$target" in
  *wasi*)
    mkdir -p "$libdir/self-contained"
    cp /usr/lib/wasm32-wasi/libc.a /usr/lib/wasm32-wasi/crt1-command.o /usr/lib/wasm32-wasi/crt1-reactor.o "$libdir/self-contained/"
    ;;
esac
touch "$stamp"
echo "sysroot: $target ready in $libdir" >&2
