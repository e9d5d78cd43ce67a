// Integers as written in specs: decimal, 0x hex, 0o octal or 0b binary, optionally signed,
// covering the whole range of both u64 and i64 (an enum of type u64 may hold 2^64 - 1,
// one of type i64 may hold -2^63).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vgen/gen/spec/scalar.hpp"

namespace vgen::gen {

/// A sign and a magnitude. Zero is never negative.
struct Integer {
  bool negative = false;        ///< true for values below zero
  std::uint64_t magnitude = 0;  ///< absolute value

  /// Decimal text, with a leading '-' when negative.
  std::string to_string() const;
  /// True when the value is representable in `kind`.
  bool fits(ScalarKind kind) const;
  /// The value as the two's-complement bit pattern of a 64-bit word.
  std::uint64_t bits() const;

  friend bool operator==(const Integer&, const Integer&) = default;
};

/// Parses `text` ("42", "-7", "0x1F", "0o17", "0b101", "+3"). Returns nothing for anything
/// else, including empty text, stray characters and values whose magnitude exceeds 2^64 - 1.
std::optional<Integer> parse_integer(std::string_view text);

/// True when `text` is spelled as an integer but its magnitude exceeds 2^64 - 1.
bool integer_too_large(std::string_view text);

/// `value` as a C++ integer literal expression that compiles without warnings and has that
/// value whatever integer type it initialises: "-9223372036854775807 - 1" (in parentheses)
/// for -2^63, a `ull` suffix above 2^63 - 1 ("18446744073709551615ull"), plain decimal
/// otherwise. For enumerator values and constants in generated code.
std::string cpp_literal(const Integer& value);

/// `0x`-prefixed lowercase hex of `value`, zero-padded to `digits` digits.
std::string to_hex(std::uint64_t value, unsigned digits = 1);

}  // namespace vgen::gen
