# Shared by every guest's Makefile (the seed's targets: install clean build check
# versions test lint), whatever builds it. A guest includes the file for its toolchain
# (rust.mk, componentize-py.mk, ...), which includes this one, and writes its own `build`
# (unless the toolchain's file does) and `test`. The component lands in ./$(GUEST).wasm.
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

clean::
	rm -f *.wasm

# Validates, prints the component's WIT world and its size (a core module's Makefile
# sets CORE_MODULE and writes its own).
ifndef CORE_MODULE
check: build
	$(TOOL) wasm-tools validate --features all $(OUT)
	$(TOOL) wasm-tools component wit $(OUT)
	@echo "$(OUT): $$(stat -c %s $(OUT)) bytes"
endif
