# Shared paths for every toolchain script and Makefile (source it; do not run it). POSIX
# sh: Makefiles source it too.
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
# The wit-bindgen CLI (C guests' bindings; `wit-bindgen test` builds its crate's runtime
# tests, a conformance suite).
export WIT_BINDGEN_VERSION=0.61.1
# wasm-tools (guests, introspection, .wast); its crate ships the spec's reference tests.
export WASM_TOOLS_VERSION=1.263.0
export WIT_BINDGEN_FEATURES=c,rust  # its C and Rust generators (wit-bindgen test needs rust)
# Host-side tools (wasm-tools, wac, the shim, wave-json) build with the cargo on PATH.
WASMTUI_HOST_CARGO=$(command -v cargo || echo "$WASMTUI_CARGO")
export WASMTUI_HOST_CARGO
# Locks of concurrent installs (below), and of each host's install (src/wasmtui/installlock.py).
export WASMTUI_LOCKS="$WASMTUI_CACHE/locks"

# A make jobserver named in MAKEFLAGS but not handed down (a recipe line make does not know
# runs cargo): drop it, or every cargo warns that it cannot connect (cargo then uses its
# own -j anyway). Lines the Makefiles mark with `+` keep it, and cargo joins `make -j`.
case " ${MAKEFLAGS:-} " in *" --jobserver-auth="*)
  _js=$(printf '%s\n' $MAKEFLAGS | sed -n 's/^--jobserver-auth=//p' | tail -n 1)
  case "$_js" in
    fifo:*) [ -p "${_js#fifo:}" ] ;;
    *) [ -e "/proc/$$/fd/${_js%%,*}" ] ;;
  esac || { MAKEFLAGS=$(printf '%s\n' $MAKEFLAGS | grep -v '^--jobserver-' | tr '\n' ' '); export MAKEFLAGS; }
  unset _js ;;
esac

# Serialise one named step across concurrent installs (`make -j install`, guests built in
# parallel): apt/dpkg, one npm folder, one venv, one crate. The lock is held until the
# calling script exits or calls wasmtui_unlock. Usage: wasmtui_lock NAME
wasmtui_lock() {
  mkdir -p "$WASMTUI_LOCKS"
  exec 9>"$WASMTUI_LOCKS/$1.lock"
  flock 9
}
wasmtui_unlock() { exec 9>&-; }

# Whether a step is done (CHECK succeeds); when it is not, take the lock NAME and ask again,
# since a concurrent install may just have done it. Then do the step under that lock:
#   wasmtui_done_or_lock NAME CHECK [ARG...] || { the step; }
wasmtui_done_or_lock() {
  _step=$1; shift
  "$@" && return 0
  wasmtui_lock "$_step"
  "$@"
}
