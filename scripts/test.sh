#!/usr/bin/env bash
# The whole test suite: unit tests (GoogleTest via ctest) and lit suites in the default
# build, everything again under ASan+UBSan with a short fuzzing run, and the threaded tests
# under ThreadSanitizer. Installs its Debian packages first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
export CTEST_OUTPUT_ON_FAILURE=1

echo "== default build (g++)"
"$root/scripts/build.sh" default
ctest --test-dir "$root/build/default" -j2

echo "== AddressSanitizer + UBSan build (clang)"
"$root/scripts/build.sh" asan
ctest --test-dir "$root/build/asan" -j2
"$root/scripts/fuzz.sh" "${VGEN_FUZZ_SECONDS:-15}"

echo "== ThreadSanitizer build (clang), threaded tests"
"$root/scripts/build.sh" tsan threaded_tests
ctest --test-dir "$root/build/tsan" -L threaded -j2
