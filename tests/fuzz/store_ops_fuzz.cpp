// libFuzzer target: the input is decoded into a sequence of store operations from several
// connections of domain 0 and of guests (store_ops.hpp); after each one the store's
// invariants are checked. A broken invariant, a crash or a sanitizer report is a bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "store_ops.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // 300 operations per input, however short: the interesting sequences (a transaction's
  // copy of a parent, a child created outside, a removal inside) need several steps.
  const vgen::store::fuzz::OpsOutcome outcome = vgen::store::fuzz::run_store_ops({data, size}, 300, 4096);
  if (!outcome.problem.empty()) {
    std::fprintf(stderr, "fuzz_store_ops: %s\n", outcome.problem.c_str());
    std::abort();
  }
  return 0;
}
