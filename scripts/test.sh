#!/usr/bin/env bash
# The whole test suite: unit tests (GoogleTest via ctest), lit suites and the Linux guest tests
# in the default build; the tests of untrusted input (label "untrusted": rings, wire messages,
# specs, logs) again under ASan+UBSan with a short fuzzing run; the threaded tests under
# ThreadSanitizer. Each sanitizer tree builds only what its tests run. Installs its Debian packages first and
# prints how long each phase took. Longer fuzzing: scripts/fuzz.sh SECONDS; a repeated run of
# the guest tests: scripts/guest/loop.sh N.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
export CTEST_OUTPUT_ON_FAILURE=1
started=$SECONDS
phase_started=$SECONDS

# phase NAME: ends the running phase with its duration and starts NAME.
phase() {
  if [ -n "${phase_name:-}" ]; then echo "== $phase_name: $((SECONDS - phase_started)) s"; fi
  phase_name=$1
  phase_started=$SECONDS
  echo "== $phase_name"
}

phase "default build (g++)"
"$root/scripts/build.sh" default
phase "default tests"
ctest --test-dir "$root/build/default" -j2

phase "AddressSanitizer + UBSan build (clang)"
"$root/scripts/build.sh" asan untrusted_tests fuzzers
phase "AddressSanitizer + UBSan tests (those of untrusted input)"
ctest --test-dir "$root/build/asan" -L untrusted -j2
phase "fuzzing"
"$root/scripts/fuzz.sh" "${VGEN_FUZZ_SECONDS:-15}"

phase "ThreadSanitizer build (clang), threaded tests"
"$root/scripts/build.sh" tsan threaded_tests
phase "ThreadSanitizer tests"
ctest --test-dir "$root/build/tsan" -L threaded -j2
echo "== $phase_name: $((SECONDS - phase_started)) s"
echo "== whole suite: $((SECONDS - started)) s"
