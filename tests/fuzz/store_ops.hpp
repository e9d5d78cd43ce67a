// Operation-sequence driver for the store: bytes are decoded into a sequence of store
// operations from several connections (two of domain 0, three guests, one of which acts for
// another through SET_TARGET), with interleaved transactions, watches, event delivery,
// reconnections and domain management. After every operation the store's invariants are
// checked (Store::consistency_problems: the tree's parent/child agreement and owner counts,
// watch and transaction counts, queue bounds).
//
// The libFuzzer target fuzz_store_ops feeds it fuzzer input; test_store_ops_seeded feeds it
// pseudo-random bytes from fixed seeds, so the default build runs it too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace vgen::store::fuzz {

/// What one run did, for the seeded test's report.
struct OpsOutcome {
  std::string problem;           ///< first broken invariant, with the operation that broke it; empty if none
  std::size_t operations = 0;    ///< operations decoded and applied
  std::size_t failed = 0;        ///< of which answered with a store::Error
  std::size_t commits = 0;       ///< transactions committed
  std::size_t conflicts = 0;     ///< commits refused with EAGAIN
  std::size_t events = 0;        ///< watch events taken from the queues
  std::size_t overflows = 0;     ///< connections closed because their event queue overflowed
};

/// Runs the operations `input` encodes, at most `max_operations` of them. An input shorter
/// than `extend_to` bytes is continued with bytes of a generator seeded from it, so that
/// even a short fuzzer input drives a long sequence (deterministically). Any exception other
/// than store::Error escapes (a bug the caller reports).
OpsOutcome run_store_ops(std::span<const std::uint8_t> input, std::size_t max_operations = 4096,
                         std::size_t extend_to = 0);

}  // namespace vgen::store::fuzz
