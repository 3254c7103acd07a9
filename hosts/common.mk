# Shared by every host's Makefile (the seed's targets: install, run, versions). A host
# writes its own `install` and `versions` recipes and includes this file; `run` runs every
# guest on that host through wasmtui.
ROOT := $(abspath $(CURDIR)/../..)
HOST := $(notdir $(CURDIR))
.PHONY: install run versions
.DEFAULT_GOAL := install

run:
	$(ROOT)/.venv/bin/wasmtui --headless --host $(HOST)
