# wasmtui: `make install` once, then `make run` (the matrix) or `make test`.
# Heavy things (Rust wasm sysroots, wasm-tools, wac, compiled components) live in
# $WASMTUI_CACHE (default ~/.cache/wasmtui): a second install takes seconds.
PYTHON ?= python3
VENV := $(CURDIR)/.venv
export WASMTUI_PYTHON := $(VENV)/bin/python

.PHONY: install venv toolchain guests hosts run test lint bench clean
install: venv toolchain hosts

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

toolchain: venv
	toolchain/install.sh

hosts: toolchain
	@for h in $(dir $(wildcard hosts/*/host.toml)); do $(MAKE) -s -C $$h install; done

guests: toolchain
	$(MAKE) -C guests build

run: install guests
	$(VENV)/bin/wasmtui

# Hosts this machine can install: `make test` requires them (a missing or broken one fails
# the run instead of skipping); plugin_ruby needs the wasmtime gem from rubygems.org.
REQUIRED_HOSTS ?= wasmtime_cli plugin_python plugin_node browsers_jco cloud_cli cloud_http
test: install guests
	WASMTUI_REQUIRED_HOSTS="$(REQUIRED_HOSTS)" $(VENV)/bin/pytest -q -rs

bench: install guests
	$(VENV)/bin/python benchmarks/bench_matrix.py
	$(VENV)/bin/python benchmarks/bench_tui.py
	$(VENV)/bin/python benchmarks/bench_browser.py
	$(VENV)/bin/python benchmarks/bench_sweep.py

lint: venv
	$(VENV)/bin/ruff check src tests benchmarks adapters
	$(MAKE) -C guests lint

clean:
	$(MAKE) -C guests clean
