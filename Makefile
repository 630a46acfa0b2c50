# feedscout — the two commands of the README, and a few conveniences.
#   make demo   install what is missing, build, run the main job, then serve on :8080
#   make test   install what is missing, build, run every test
#   make perf-smoke  small benchmarks that fail on a gross performance regression (CI)
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: demo test build deps bench perf-smoke sanitize sanitize-thread format clean

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

# ThreadSanitizer over the tests that run engine threads together (the writer, the
# checkpoint thread, the open's rebuild thread, concurrent readers, hot swap). Tests that
# fork a child engine are left out (TSan cannot follow a multi-threaded fork), and races
# inside the uninstrumented libxgboost are suppressed (tests/tsan.supp).
TSAN_TESTS = Recovery*:CloseFlush*:CheckpointFault*:CommitFault*:*Concurrent*:*HotSwap*
TSAN_FORKING = RecoveryTest.AcknowledgedEvents*:RecoveryTest.EventsStoredAsJson*:CheckpointFaultTest.AFailedCheckpointKeeps*
sanitize-thread:
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFEEDSCOUT_SANITIZE_THREAD=ON
	cmake --build build-tsan -j$(JOBS) --target feedscout_tests
	TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  ./build-tsan/tests/feedscout_tests --gtest_filter='$(TSAN_TESTS):-$(TSAN_FORKING)'

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-bench build-asan build-tsan var
