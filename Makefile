# feedscout — the two commands of the README, and a few conveniences.
#   make demo   install what is missing, build, run the main job, then serve on :8080
#   make test   install what is missing, build, run every test
#   make perf-smoke  small benchmarks that fail on a gross performance regression (CI)
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: demo test build deps bench perf-smoke sanitize format clean

demo: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS) --target feedscout
	./$(BUILD_DIR)/src/cli/feedscout demo

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

deps:
	./scripts/install-deps.sh

bench: deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFEEDSCOUT_BUILD_BENCH=ON -DFEEDSCOUT_BUILD_TESTS=OFF
	cmake --build build-bench -j $(JOBS)

# Small ingest and feed benchmarks judged by in-run ratios against bench/perf_smoke_baseline.txt
# (scripts/perf-smoke.sh); fails only on a gross regression. Run by .ci/run after the tests.
perf-smoke: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DFEEDSCOUT_BUILD_BENCH=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS) --target feedscout_ingest_bench feedscout_feed_bench
	./scripts/perf-smoke.sh $(BUILD_DIR)

sanitize:
	$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS=-DFEEDSCOUT_SANITIZE=ON

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-bench build-asan var
