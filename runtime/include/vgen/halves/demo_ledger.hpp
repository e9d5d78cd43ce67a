// The default split frontend's record of one ring's demo requests: those sent and not yet
// answered, in the order sent, and how many were answered. The generated default frontend of
// a spec with several rings keeps one per ring (DemoLedgers).
#pragma once

#include <algorithm>
#include <any>
#include <cstddef>
#include <deque>
#include <map>

namespace vgen::halves {

/// Requests of type `Request` sent on one ring and the answers counted.
template <class Request>
struct DemoLedger {
  std::deque<Request> sent;  ///< unanswered, in the order sent
  std::size_t answered = 0;  ///< requests answered

  /// True while fewer than `total` requests are out or answered.
  bool wants(std::size_t total) const noexcept { return sent.size() + answered < total; }
  /// Records the answer to the first request sent for which `answers(request)` holds; false
  /// (nothing recorded) when none does.
  template <class Answers>
  bool answer(Answers answers) {
    const auto found = std::find_if(sent.begin(), sent.end(), answers);
    if (found == sent.end()) return false;
    sent.erase(found);
    ++answered;
    return true;
  }
};

/// One DemoLedger per ring, found by ring index and made on first use, so that the handler
/// `vgen update` adds for a ring new in the spec finds its ledger as the scaffold's do.
class DemoLedgers {
 public:
  /// The ledger of ring `ring`, whose requests are of type `Request` (the same type on every
  /// call for one ring).
  template <class Request>
  DemoLedger<Request>& of(std::size_t ring) {
    return std::any_cast<DemoLedger<Request>&>(ledgers_.try_emplace(ring, DemoLedger<Request>{}).first->second);
  }

 private:
  std::map<std::size_t, std::any> ledgers_;
};

}  // namespace vgen::halves
