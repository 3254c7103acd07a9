# wasmtui: `make install` once, then `make run` (the matrix) or `make test`.
# Heavy things (Rust wasm sysroots, wasm-tools, wac, runwasi's shim, compiled components)
# live in $WASMTUI_CACHE (default ~/.cache/wasmtui): a second install takes seconds.
#
# The install is a graph of independent steps that runs JOBS at a time: the CPU-bound ones
# (cargo builds: the shim, the sysroots, wasm-tools, wac) overlap the ones that wait on the
# network (apt, pip, npm, crate downloads); the guests build while the hosts install.
# `make install HOSTS="wasmtime_cli plugin_python"` installs only those hosts (the toolchain
# the guests need is always installed).
PYTHON ?= python3
VENV := $(CURDIR)/.venv
export WASMTUI_PYTHON := $(VENV)/bin/python
JOBS ?= 4
ALL_HOSTS := $(patsubst hosts/%/host.toml,%,$(wildcard hosts/*/host.toml))
HOSTS ?= $(ALL_HOSTS)
HOST_STEPS := $(addprefix host-,$(HOSTS))
TOOL_STEPS := $(addprefix tool-,apt sysroot-wasm32-unknown-unknown sysroot-wasm32-wasip2 wasm-tools wac wasmtime)

.PHONY: install venv toolchain hosts guests run run-quick test check lint bench clean steps \
	$(TOOL_STEPS) $(addprefix host-,$(ALL_HOSTS)) guest-builds suite-wit-bindgen conformance
install:
	@$(MAKE) --no-print-directory -j$(JOBS) steps
toolchain:
	@$(MAKE) --no-print-directory -j$(JOBS) $(TOOL_STEPS)
hosts:
	@$(MAKE) --no-print-directory -j$(JOBS) $(HOST_STEPS)
guests:
	@$(MAKE) --no-print-directory -j$(JOBS) guest-builds

steps: $(HOST_STEPS) $(TOOL_STEPS) suite-wit-bindgen

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# `+`: cargo inside a step joins this make's jobserver, so JOBS bounds every rustc at once.
tool-apt:
	@toolchain/install.sh apt
SYSROOT_STEPS := $(filter tool-sysroot-%,$(TOOL_STEPS))
$(SYSROOT_STEPS): tool-sysroot-%: tool-apt
	+@toolchain/install.sh sysroot-$*
tool-wasm-tools tool-wac: tool-apt
	+@toolchain/install.sh $(patsubst tool-%,%,$@)
tool-wasmtime: venv
	@toolchain/install.sh wasmtime

# A host's own recipe (hosts/NAME/Makefile); after the toolchain's apt step, which brings
# the cargo that wasmtime_cli and the runwasi hosts build with. It holds the host's install
# lock (src/wasmtui/installlock.py), so a wasmtui run meanwhile waits for the host; flock -o:
# a daemon the recipe starts does not inherit the lock.
LOCKS := $(shell . toolchain/env.sh && echo "$$WASMTUI_LOCKS")
$(addprefix host-,$(ALL_HOSTS)): host-%: venv tool-apt
	@mkdir -p "$(LOCKS)"
	@flock -o "$(LOCKS)/host-$*.lock" $(MAKE) -s -C hosts/$* install

# wit-bindgen's runtime tests (`wasmtui --suite wit-bindgen`), built by `wit-bindgen test`
# into the cache once per wit-bindgen version (about a minute, and the CLI's Rust
# generator once): a rerun builds nothing. The spec's .wast tests come with the wasm-tools
# crate (tool-wasm-tools).
suite-wit-bindgen: tool-sysroot-wasm32-wasip2
	+@toolchain/build-wit-bindgen-tests >/dev/null

# The guests need the toolchain, not the hosts: they build while the hosts install.
guest-builds: $(TOOL_STEPS)
	@$(MAKE) -s -C guests build

# The TUI as soon as the toolchain, the guests and the quick hosts are ready: the slow
# hosts (host.toml `slow-install`: the runwasi shim's build) install in the background
# meanwhile, holding their install locks, and their columns fill in when they are ready.
SLOW_HOSTS := $(filter $(HOSTS),$(patsubst hosts/%/host.toml,%,$(shell grep -l '^slow-install' hosts/*/host.toml)))
run: venv tool-apt
	@toolchain/run-while-installing $(SLOW_HOSTS) -- $(MAKE) --no-print-directory run-quick
run-quick:
	@$(MAKE) --no-print-directory -j$(JOBS) $(TOOL_STEPS) \
		$(addprefix host-,$(filter-out $(SLOW_HOSTS),$(HOSTS))) guest-builds
	@# exit 1 is the matrix's verdict (a check failed), not make's failure: `make run` is
	@# a look at the matrix; CI gates on `wasmtui --headless`'s code
	@$(VENV)/bin/wasmtui; code=$$?; [ $$code -le 1 ] || exit $$code

# Hosts this machine can install: `make test` requires them (a missing or broken one fails
# the run instead of skipping); plugin_ruby needs the wasmtime gem from rubygems.org.
REQUIRED_HOSTS ?= wasmtime_cli plugin_python plugin_node deno_jco bun_jco browsers_jco firefox_jco go_wazy \
	cloud_cli cloud_http
# Measured (README, "Install times"): starting the suite while the hosts still install
# (a run waits for a host whose install holds its lock) gained nothing on 2 cores, where
# the cargo builds keep both cores busy; so the suite starts once everything is installed.
test:
	@$(MAKE) --no-print-directory -j$(JOBS) steps guest-builds
	WASMTUI_REQUIRED_HOSTS="$(REQUIRED_HOSTS)" $(VENV)/bin/pytest -q -rs

# The field's own conformance tests and the catalog on every host (workarounds tried):
# docs/conformance.md and docs/features.md, whose rows count both. About 20 minutes on 2
# cores. Exit 1 is the tables' content, not make's.
conformance: install
	@$(MAKE) -s -C guests build
	@mkdir -p build
	$(VENV)/bin/wasmtui --headless --try-workarounds --suite spec --suite wit-bindgen \
		guests/*/guest.toml --report build/conformance.json --html build/conformance.html; \
		code=$$?; [ $$code -le 1 ] || exit $$code
	$(VENV)/bin/wasmtui conformance build/conformance.json --markdown docs/conformance.md >/dev/null
	$(VENV)/bin/wasmtui features build/conformance.json --markdown docs/features.md >/dev/null

bench: install
	@$(MAKE) --no-print-directory guests
	$(VENV)/bin/python benchmarks/bench_matrix.py
	$(VENV)/bin/python benchmarks/bench_tui.py
	$(VENV)/bin/python benchmarks/bench_browser.py
	$(VENV)/bin/python benchmarks/bench_sweep.py
	$(VENV)/bin/python benchmarks/bench_scenarios.py
	$(VENV)/bin/python benchmarks/bench_conformance.py

# The fast tier: ruff and the unit tests (tests/unit: no host, no network, no install).
# Run it after every change; `make test` runs both tiers against the real hosts.
check: venv
	$(VENV)/bin/ruff check src tests benchmarks adapters
	$(VENV)/bin/ruff check --select C901 src
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest -q tests/unit

lint: venv
	$(VENV)/bin/ruff check src tests benchmarks adapters
	$(VENV)/bin/ruff check --select C901 src
	$(VENV)/bin/lint-imports --no-cache
	$(MAKE) -C guests lint

clean:
	$(MAKE) -C guests clean
