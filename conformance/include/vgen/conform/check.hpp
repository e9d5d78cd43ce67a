// What a conformance check is: an id, the requirements of the catalogue it covers, the half it
// judges, and whether it follows the rules (faithful) or breaks them on purpose (hostile).
#pragma once

#include <string>
#include <vector>

namespace vgen::conform {

/// Faithful checks follow every rule and judge what the peer does; hostile checks break a rule
/// on purpose and judge whether the peer rejects the input, stays alive and works after a reset.
enum class Mode { Faithful, Hostile };

/// "faithful" or "hostile".
const char* to_string(Mode mode) noexcept;

/// The description of one check, as the catalogue test and the reports see it.
struct CheckInfo {
  std::string id;                         ///< unique, e.g. "device.no-use-before-driver-ok"
  std::vector<std::string> requirements;  ///< catalogue ids it covers (at least one)
  Mode mode = Mode::Faithful;             ///< faithful or hostile
  std::string summary;                    ///< one line: what it does
};

}  // namespace vgen::conform
