# C guests: wit-bindgen's C bindings, compiled by clang for wasm32-wasi with Debian's
# wasi-libc (WASI preview1: Debian has no wasip2 libc), linked as a reactor, then made a
# component by `wasm-tools component new --adapt` with the preview1 reactor adapter from
# jco's npm package (guests/common/npm).
C_MK := $(dir $(lastword $(MAKEFILE_LIST)))
include $(C_MK)common.mk
CC := clang-22
# Debian's wasi-libc is laid out for the triple's old name (/usr/lib/wasm32-wasi), which
# clang 22 calls deprecated: keep the name, not the warning.
CFLAGS := --target=wasm32-wasi -Wno-deprecated --sysroot=/usr -Os -Wall -Wextra -Werror
LDFLAGS := -mexec-model=reactor
NPM := $(C_MK)common/npm
ADAPTER := $(NPM)/node_modules/@bytecodealliance/jco/lib/wasi_snapshot_preview1.reactor.wasm

clean::
	rm -rf bindings

versions::
	@$(CC) --version | head -1
	@$(TOOL) wit-bindgen --version
