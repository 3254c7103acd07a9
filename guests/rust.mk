# Rust guests: Debian's rustc with the cached wasm sysroot (toolchain/cargo-wasm). A guest
# sets TARGET (its rustc target) before including this file.
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

clean::
	$(TC)/cargo-wasm $(TARGET) clean -q --release --target-dir "$$(. $(TC)/env.sh; echo $$WASMTUI_CACHE)/cargo-target" -p $(GUEST) 2>/dev/null || true

versions:
	@/usr/bin/rustc --version
	@/usr/bin/cargo --version
	@$(TOOL) wasm-tools --version
	@$(TOOL) wac --version
	@$(WASMTIME) --version

lint:
	/usr/bin/cargo fmt --check
	$(TC)/cargo-wasm $(TARGET) clippy -q --release --locked -- -D warnings
