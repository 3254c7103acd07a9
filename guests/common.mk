# Shared by every guest's Makefile (the seed's targets: install clean build check
# versions test lint). A guest sets TARGET (its rustc target), then includes this file
# and writes its own `build` and `test` recipes. The component lands in ./$(GUEST).wasm.
GUEST := $(notdir $(CURDIR))
ROOT := $(abspath $(CURDIR)/../..)
TC := $(ROOT)/toolchain
OUT := $(GUEST).wasm
TOOL := $(TC)/tool
WASMTIME := $(TOOL) wasmtime

.PHONY: install clean build check versions test lint
.DEFAULT_GOAL := build

install:
	$(TC)/install.sh

clean:
	rm -f *.wasm
	$(TC)/cargo-wasm $(TARGET) clean -q --release --target-dir "$$(. $(TC)/env.sh; echo $$WASMTUI_CACHE)/cargo-target" -p $(GUEST) 2>/dev/null || true

# Validates, prints the component's WIT world and its size.
check: build
	$(TOOL) wasm-tools validate --features all $(OUT)
	$(TOOL) wasm-tools component wit $(OUT)
	@echo "$(OUT): $$(stat -c %s $(OUT)) bytes"

versions:
	@/usr/bin/rustc --version
	@/usr/bin/cargo --version
	@$(TOOL) wasm-tools --version
	@$(TOOL) wac --version
	@$(WASMTIME) --version

lint:
	/usr/bin/cargo fmt --check
	$(TC)/cargo-wasm $(TARGET) clippy -q --release --locked -- -D warnings
