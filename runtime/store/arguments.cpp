#include <vgen/store/arguments.hpp>

#include <string>

#include <vgen/store/error.hpp>

namespace vgen::store {
namespace {

[[noreturn]] void reject_argument(std::string_view what, const std::string& why) {
  throw Error(ErrorCode::Invalid, std::string(what) + ": " + why);
}

}  // namespace

std::vector<std::string_view> split_all_strings(std::string_view payload, std::size_t minimum, std::string_view what) {
  if (!payload.empty() && payload.back() != '\0') reject_argument(what, "payload does not end with a NUL");
  std::vector<std::string_view> out;
  while (!payload.empty()) {
    const std::size_t nul = payload.find('\0');
    out.push_back(payload.substr(0, nul));
    payload.remove_prefix(nul + 1);
  }
  if (out.size() < minimum) {
    reject_argument(what, "expected at least " + std::to_string(minimum) + " NUL-terminated arguments, got " +
                              std::to_string(out.size()));
  }
  return out;
}

std::vector<std::string_view> split_strings(std::string_view payload, std::size_t count, std::string_view what) {
  std::vector<std::string_view> out = split_all_strings(payload, count, what);
  if (out.size() != count) {
    reject_argument(
        what, "expected " + std::to_string(count) + " NUL-terminated arguments, got " + std::to_string(out.size()));
  }
  return out;
}

std::pair<std::string_view, std::string_view> split_path_value(std::string_view payload, std::string_view what) {
  const std::size_t nul = payload.find('\0');
  if (nul == std::string_view::npos) reject_argument(what, "payload has no NUL after the path");
  return {payload.substr(0, nul), payload.substr(nul + 1)};
}

std::uint64_t parse_decimal(std::string_view text, std::string_view what) {
  if (text.empty()) reject_argument(what, "empty; expected a decimal number");
  if (text.size() > 19) reject_argument(what, "'" + std::string(text) + "' has more than 19 digits");
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') reject_argument(what, "'" + std::string(text) + "' is not a decimal number");
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

}  // namespace vgen::store
