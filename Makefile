# mirrorvault: `make run` (build + demo on the embedded default), `make test` (everything CI runs),
# `make lint` (clang-format, clang-tidy), `make fuzz` (the libFuzzer targets, briefly), `make bench`
# (benchmarks against peer tools). Each installs what it needs first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 15
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
# The sanitizer build only runs unit tests: -O1 with line tables compiles in about half the time.
ASAN_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1"

.PHONY: all deps build build-asan run test lint unit asan fuzz bench clean

all: build

deps:
	scripts/install-deps

build:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DMV_WERROR=ON
	cmake --build $(BUILD)

build-asan:
	cmake -S . -B $(ASAN_BUILD) $(ASAN_FLAGS) -DMV_WERROR=ON -DMV_SANITIZE=ON -DMV_INTEGRATION_TESTS=OFF
	cmake --build $(ASAN_BUILD)

# `make run` builds only the binary it runs (not the tests).
run:
	scripts/install-deps --run
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DMV_WERROR=ON
	cmake --build $(BUILD) --target mirrorvault
	scripts/demo $(BUILD)/src/cli/mirrorvault

test: deps
	$(MAKE) build
	$(MAKE) lint
	$(MAKE) build-asan
	scripts/run-tests $(BUILD) $(ASAN_BUILD)
	$(MAKE) fuzz

# The style of .clang-format and .clang-tidy (scripts/lint); needs the build's compile commands.
lint:
	scripts/install-deps --lint
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DMV_WERROR=ON
	scripts/lint $(BUILD)

# Every fuzz target for FUZZ_SECONDS each, on a copy of its seeds (fuzz/, scripts/run-fuzz).
fuzz:
	scripts/install-deps --fuzz
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) $(CMAKE_FLAGS) -DMV_FUZZ=ON -DMV_WERROR=ON
	cmake --build $(FUZZ_BUILD) --target fuzzers
	scripts/run-fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench:
	scripts/install-deps --bench
	$(MAKE) build
	bench/store $(BUILD)/src/cli/mirrorvault
	bench/import $(BUILD)/src/cli/mirrorvault
	bench/mirror $(BUILD)/src/cli/mirrorvault
	bench/serve $(BUILD)/src/cli/mirrorvault
	bench/serve-s3 $(BUILD)/src/cli/mirrorvault
	bench/publish $(BUILD)/src/cli/mirrorvault
	bench/jobs $(BUILD)/src/cli/mirrorvault
	bench/regioncache $(BUILD)/src/cli/mirrorvault
	bench/mirror-complete $(BUILD)/src/cli/mirrorvault
	bench/mirror-view $(BUILD)/src/cli/mirrorvault
	bench/closure --build $(BUILD)
	bench/index-diff --build $(BUILD)
	bench/gc $(BUILD)/src/cli/mirrorvault

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
