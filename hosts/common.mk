# Shared by every host's Makefile (the seed's targets: install, run, versions). A host
# writes its own `install` and `versions` recipes and includes this file; `run` runs every
# guest on that host through wasmtui.
ROOT := $(abspath $(CURDIR)/../..)
HOST := $(notdir $(CURDIR))
# wasmtui's own interpreter: the checkout's venv, or whatever runs an installed wasmtui
# (`wasmtui hosts install` sets WASMTUI_PYTHON).
WASMTUI_PYTHON ?= $(ROOT)/.venv/bin/python
.PHONY: install run versions
.DEFAULT_GOAL := install

run:
	$(WASMTUI_PYTHON) -m wasmtui --headless --host $(HOST)
