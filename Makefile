# The two set-up commands in the README (make site, make test) start from a fresh
# clone: they create .venv from the pinned requirements and install Graphviz when
# it is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FIELDGUIDE := $(VENV)/bin/fieldguide
STAMP := $(VENV)/.requirements.stamp
export NO_MKDOCS_2_WARNING := 1
# Dates MkDocs writes (sitemap, gzip headers) come from the last commit, not the clock.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 315532800)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv graphviz chromium lab-deps lab lab-publish test check lint site serve linkcheck linkcheck-external e2e bench lock clean

help:
	@echo "make test    run the test suite (sets up .venv and Graphviz first)"
	@echo "make site    build the site into site/ (sets up .venv and Graphviz first)"
	@echo "make serve   live preview; regenerates when captures, templates or articles change"
	@echo "make linkcheck  check every internal link and anchor of the built site"
	@echo "make e2e     open the built site in headless Chromium"
	@echo "make check   validate every capture under captures/"
	@echo "make lint    ruff + mypy"
	@echo "make bench   benchmarks: diagrams, parsers, and the project at N=10,100 captures (SCALE=1000 adds 1000; AGAINST=dir compares a checkout)"
	@echo "make lab OUT=dir  build the network-namespace lab (root) and write its captures to dir/<layout>/<node>.yaml"
	@echo "make lab-publish  rebuild the lab (root) and replace its captures in captures/ and its facts in tests/fixtures/facts/"
	@echo "make lock    re-pin requirements.txt from requirements.in"

# The venv is rebuilt when requirements.txt or pyproject.toml changes (the stamp is older).
# The package itself is installed in place (-e, no dependencies: those are the pinned
# ones above), which puts the `fieldguide` command in .venv/bin running this checkout.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

venv: $(STAMP)

# $(call ensure,COMMAND,DEBIAN_PACKAGE,MORE_HINT): install a system tool with apt-get
# when it is missing and we are root; otherwise say how to install it, and stop.
define ensure
@command -v $(1) >/dev/null 2>&1 || { \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
    echo "$(1) not found: installing $(2) with apt-get"; \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
  else \
    echo "error: '$(1)' is missing. Install it (Debian/Ubuntu: sudo apt-get install $(2)$(3)) and re-run make." >&2; \
    exit 1; \
  fi; }
endef

graphviz:
	$(call ensure,dot,graphviz,; macOS: brew install graphviz)

chromium:
	$(call ensure,chromium,chromium,)

# The network-namespace lab's tools (command:package). Installed with apt-get when missing
# and we are root; otherwise (or when apt-get fails) the lab's tests skip, saying why.
LAB_TOOLS := ip:iproute2 bridge:iproute2 ping:iputils-ping route:net-tools brctl:bridge-utils nsenter:util-linux
lab-deps:
	@missing=$$(for pair in $(LAB_TOOLS); do command -v $${pair%%:*} >/dev/null 2>&1 || echo $${pair#*:}; done | sort -u | tr '\n' ' '); \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "lab tools missing: installing $$missing with apt-get"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } \
	    || echo "note: apt-get could not install $$missing; the lab's tests will skip"; \
	else \
	  echo "note: the network-namespace lab needs $$missing (as root: apt-get install $$missing); its tests will skip"; \
	fi

# Needs root: rebuilds the lab and replaces its captures in captures/ (the site's "Reproduce it")
# and its golden facts in tests/fixtures/facts/; review the diff, then commit.
lab-publish: venv lab-deps
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && \
	  $(MAKE) --no-print-directory lab OUT="$$out/assembled" && $(PY) -m tests.lab.publish "$$out/assembled"

# Needs root: builds every layout in a throwaway sandbox, proves it forwards, collects.
lab: venv lab-deps
	@test -n "$(OUT)" || { echo "usage: make lab OUT=dir   (writes dir/<layout>/<plugin>-<policy>/<node>.yaml; needs root)" >&2; exit 2; }
	@raw=$$(mktemp -d) && trap 'rm -rf "$$raw"' EXIT && \
	  LAB_PYTHON=$(abspath $(PY)) tests/lab/lab.sh "$$raw/raw" && $(PY) -m tests.lab.assemble "$$raw/raw" "$(OUT)"

test: venv graphviz lab-deps
	$(PY) -m pytest

check: venv
	$(FIELDGUIDE) check captures

lint: venv
	$(PY) -m ruff check generator tests
	$(PY) -m ruff format --check generator tests
	$(PY) -m mypy

# Staged in build/stage and site.new, swapped in (docs/guide, docs/blog/posts, site) only
# when the generator and mkdocs build --strict both succeeded; a failed or interrupted
# build leaves the last good output. One command, so the shell execs it: make's child is
# the publisher, which forwards SIGINT/SIGTERM to mkdocs and, with --follow-parent, also
# stops when make alone is sent SIGINT (make forwards nothing then; it waits).
site: venv graphviz
	$(PY) -m generator.publish --follow-parent

serve: venv graphviz
	$(PY) -m mkdocs serve

linkcheck: site
	$(PY) -m generator.linkcheck site

linkcheck-external: site
	$(PY) -m generator.linkcheck site --external

# Opens the built site in headless Chromium; screenshots land in build/e2e/.
e2e: site chromium
	$(PY) -m pytest -p no:cacheprovider tests/e2e

# jc is what the parsers are measured against, never a project dependency: pinned, in a
# scratch folder of its own (without its dependencies: its ip_route and route parsers need none).
JC_VERSION := 1.26.1
JC_DIR := .bench/jc-$(JC_VERSION)
$(JC_DIR)/.stamp: | venv
	rm -rf $(JC_DIR)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --target $(JC_DIR) jc==$(JC_VERSION)
	@touch $@

bench: venv graphviz $(JC_DIR)/.stamp
	$(PY) -m tests.benchmarks.bench_diagrams
	JC_PATH=$(JC_DIR) $(PY) -m tests.benchmarks.bench_parsers
	$(PY) -m tests.benchmarks.bench_scale $(if $(AGAINST),--against $(AGAINST))

lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -r requirements.in
	{ echo "# Generated by 'make lock' from requirements.in: the full pinned closure. Do not edit by hand."; \
	  .lockvenv/bin/pip freeze --exclude-editable | sort -f; } > requirements.txt
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) site site.new build .bench .cache .pytest_cache .mypy_cache .ruff_cache docs/guide docs/blog/posts
