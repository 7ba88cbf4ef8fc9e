# sortie — a thin layer over CMake + Ninja and the sandbox scripts.
# Every target that needs tools calls `deps` first, so a fresh Debian 12 needs only
# `make run` and `make test`.

SHELL := /bin/bash
BUILD_DIR ?= build
SANDBOX_DIR ?= /var/tmp/sortie-sandbox
export SORTIE_SANDBOX_DIR := $(SANDBOX_DIR)

.PHONY: all deps configure build run test bench sandbox sandbox-down sandbox-status \
        format lint clean

all: build

deps:
	@bash scripts/deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DSORTIE_WERROR=ON >/dev/null; fi

# The sortie binary, its tests and benchmarks, and the web UI beside it ($(BUILD_DIR)/web).
build: configure
	@cmake --build $(BUILD_DIR)
	@bash scripts/web.sh $(BUILD_DIR)

# Starts the sandbox cluster when no cluster is configured, then shows what sortie sees.
run: build
	@bash scripts/run.sh $(BUILD_DIR)/sortie

# Unit tests, then integration tests against the sandbox cluster (started and stopped here
# unless it was already running).
test: build
	@bash scripts/test.sh $(BUILD_DIR)

bench: build
	@bash scripts/bench.sh $(BUILD_DIR)

# Both sandbox clusters: SLURM 22.05 (this machine's packages) and 24.11 (a Debian 13 chroot).
sandbox: deps
	@SORTIE_SANDBOX_SLURM=22.05 bash sandbox/up.sh
	@SORTIE_SANDBOX_SLURM=24.11 bash sandbox/up.sh

sandbox-down:
	@SORTIE_SANDBOX_SLURM=24.11 bash sandbox/down.sh
	@SORTIE_SANDBOX_SLURM=22.05 bash sandbox/down.sh

sandbox-status:
	@SORTIE_SANDBOX_SLURM=22.05 bash sandbox/status.sh; s1=$$?; \
	 SORTIE_SANDBOX_SLURM=24.11 bash sandbox/status.sh; s2=$$?; [ $$s1 -eq 0 ] && [ $$s2 -eq 0 ]

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: configure
	@bash scripts/lint.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
