# Python guests: app.py made a component by componentize-py (the version
# common/python/requirements.txt pins, installed into the cache by toolchain/componentize-py).
# A guest sets WORLD (the WIT world in ./wit) before including this file. The build reruns
# only when the app, its WIT or the pin changed.
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk
CPY := $(TC)/componentize-py

build: $(OUT)
$(OUT): app.py $(wildcard wit/*.wit wit/deps/*/*.wit) $(ROOT)/guests/common/python/requirements.txt
	$(CPY) -q -d wit -w $(WORLD) componentize app -o $@.tmp
	rm -rf __pycache__
	mv $@.tmp $@

versions:
	@$(CPY) --version

lint:
	$(ROOT)/.venv/bin/ruff check app.py
