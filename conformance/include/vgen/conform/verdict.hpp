// The outcome of one conformance check: PASS, FAIL or SKIP, with a one-line reason.
#pragma once

#include <string>

namespace vgen::conform {

/// What a check concluded about the half under test.
enum class Outcome {
  Pass,  ///< the rule held (or, in a hostile check, the peer rejected the input and recovered)
  Fail,  ///< the rule was broken, or the peer crashed, hung or stayed broken after a reset
  Skip,  ///< a precondition is missing (a feature not offered, a transport without the register)
};

/// "PASS", "FAIL" or "SKIP".
const char* to_string(Outcome outcome) noexcept;

/// A check's outcome and the one-line reason printed beside it.
struct Verdict {
  Outcome outcome = Outcome::Skip;
  std::string reason;
};

/// Shorthands for the three outcomes.
inline Verdict pass(std::string reason) { return {Outcome::Pass, std::move(reason)}; }
inline Verdict fail(std::string reason) { return {Outcome::Fail, std::move(reason)}; }
inline Verdict skip(std::string reason) { return {Outcome::Skip, std::move(reason)}; }

}  // namespace vgen::conform
