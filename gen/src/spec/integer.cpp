#include "vgen/gen/spec/integer.hpp"

#include <algorithm>
#include <limits>

namespace vgen::gen {
namespace {

// Value of `digit` in base `base`, or -1.
int digit_value(char digit, unsigned base) {
  int value = -1;
  if (digit >= '0' && digit <= '9') {
    value = digit - '0';
  } else if (digit >= 'a' && digit <= 'f') {
    value = digit - 'a' + 10;
  } else if (digit >= 'A' && digit <= 'F') {
    value = digit - 'A' + 10;
  }
  return value >= 0 && static_cast<unsigned>(value) < base ? value : -1;
}

// Splits a "0x"/"0o"/"0b" prefix off `text` and returns the base it selects.
unsigned take_base(std::string_view& text) {
  if (text.size() > 2 && text[0] == '0') {
    switch (text[1]) {
      case 'x':
      case 'X':
        text.remove_prefix(2);
        return 16;
      case 'o':
      case 'O':
        text.remove_prefix(2);
        return 8;
      case 'b':
      case 'B':
        text.remove_prefix(2);
        return 2;
      default:
        break;
    }
  }
  return 10;
}

std::optional<std::uint64_t> parse_magnitude(std::string_view digits, unsigned base) {
  if (digits.empty()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (char digit : digits) {
    int number = digit_value(digit, base);
    if (number < 0 || value > (kMax - static_cast<std::uint64_t>(number)) / base) {
      return std::nullopt;
    }
    value = value * base + static_cast<std::uint64_t>(number);
  }
  return value;
}

}  // namespace

std::optional<Integer> parse_integer(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  unsigned base = take_base(text);
  std::optional<std::uint64_t> magnitude = parse_magnitude(text, base);
  if (!magnitude) {
    return std::nullopt;
  }
  return Integer{negative && *magnitude != 0, *magnitude};
}

bool integer_too_large(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    text.remove_prefix(1);
  }
  unsigned base = take_base(text);
  bool digits =
      !text.empty() && std::all_of(text.begin(), text.end(), [base](char c) { return digit_value(c, base) >= 0; });
  return digits && !parse_magnitude(text, base);
}

std::string Integer::to_string() const { return (negative ? "-" : "") + std::to_string(magnitude); }

bool Integer::fits(ScalarKind kind) const {
  unsigned bits = scalar_bits(kind);
  if (!scalar_is_signed(kind)) {
    return !negative && (bits == 64 || magnitude < (std::uint64_t{1} << bits));
  }
  std::uint64_t limit = std::uint64_t{1} << (bits - 1);  // 2^(bits-1)
  return negative ? magnitude <= limit : magnitude < limit;
}

std::uint64_t Integer::bits() const { return negative ? ~magnitude + 1 : magnitude; }

std::string cpp_literal(const Integer& value) {
  constexpr std::uint64_t kLargestSigned = std::numeric_limits<std::int64_t>::max();
  if (value.negative && value.magnitude == kLargestSigned + 1) {
    // The literal 9223372036854775808 has no signed type, so -2^63 is written as a difference.
    return "(-" + std::to_string(kLargestSigned) + " - 1)";
  }
  if (value.negative) {
    return "-" + std::to_string(value.magnitude);
  }
  return std::to_string(value.magnitude) + (value.magnitude > kLargestSigned ? "ull" : "");
}

std::string to_hex(std::uint64_t value, unsigned digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  do {
    text.insert(text.begin(), kDigits[value & 0xF]);
    value >>= 4;
  } while (value != 0);
  if (text.size() < digits) {
    text.insert(0, digits - text.size(), '0');
  }
  return "0x" + text;
}

}  // namespace vgen::gen
