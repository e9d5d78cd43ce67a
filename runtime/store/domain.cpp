#include <vgen/store/domain.hpp>

#include <vgen/store/error.hpp>

namespace vgen::store {

DomainId parse_domain_id(std::string_view text, std::string_view what) {
  auto fail = [&](const char* why) {
    throw Error(ErrorCode::Invalid, std::string(what) + ": '" + std::string(text) + "' " + why);
  };
  if (text.empty()) fail("is empty; expected a decimal domain id");
  if (text.size() > 5) fail("is longer than 5 digits; domain ids are at most 65535");
  std::uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') fail("contains a non-digit; expected a decimal domain id");
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > 0xFFFF) fail("exceeds 65535, the largest domain id");
  return static_cast<DomainId>(value);
}

std::string domain_path(DomainId domid) { return "/local/domain/" + std::to_string(domid); }

}  // namespace vgen::store
