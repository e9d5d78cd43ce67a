// The default split frontend's record of one ring's demo requests: those sent and not yet
// answered, in the order sent, and how many were answered. The generated default frontend of
// a spec with several rings keeps one per ring.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>

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

}  // namespace vgen::halves
