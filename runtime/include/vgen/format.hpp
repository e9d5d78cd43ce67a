// Text for error messages and logs, shared by every runtime module so that numbers read the
// same everywhere ("0x1f" for addresses, flags and feature words).
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

namespace vgen {

/// `value` in lower-case hexadecimal with a "0x" prefix, e.g. hex(31) == "0x1f".
inline std::string hex(std::uint64_t value) {
  char digits[2 + 16];
  digits[0] = '0';
  digits[1] = 'x';
  const auto end = std::to_chars(digits + 2, digits + sizeof digits, value, 16).ptr;
  return std::string(digits, end);
}

}  // namespace vgen
