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
# calling script exits. Usage: wasmtui_lock NAME
wasmtui_lock() {
  mkdir -p "$WASMTUI_CACHE/locks"
  exec 9>"$WASMTUI_CACHE/locks/$1.lock"
  flock 9
}
