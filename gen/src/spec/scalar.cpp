#include "vgen/gen/spec/scalar.hpp"

#include <array>

namespace vgen::gen {
namespace {

struct ScalarInfo {
  std::string_view name;
  std::string_view c_type;
  unsigned size;
  bool is_signed;
};

// Indexed by ScalarKind.
constexpr std::array<ScalarInfo, 8> kScalars{{
    {"u8", "uint8_t", 1, false},
    {"u16", "uint16_t", 2, false},
    {"u32", "uint32_t", 4, false},
    {"u64", "uint64_t", 8, false},
    {"i8", "int8_t", 1, true},
    {"i16", "int16_t", 2, true},
    {"i32", "int32_t", 4, true},
    {"i64", "int64_t", 8, true},
}};

const ScalarInfo& info(ScalarKind kind) { return kScalars[static_cast<std::size_t>(kind)]; }

}  // namespace

std::optional<ScalarKind> parse_scalar(std::string_view name) {
  for (std::size_t index = 0; index < kScalars.size(); ++index) {
    if (kScalars[index].name == name) {
      return static_cast<ScalarKind>(index);
    }
  }
  return std::nullopt;
}

std::string_view scalar_name(ScalarKind kind) { return info(kind).name; }
std::string_view scalar_c_type(ScalarKind kind) { return info(kind).c_type; }
unsigned scalar_size(ScalarKind kind) { return info(kind).size; }
unsigned scalar_bits(ScalarKind kind) { return info(kind).size * 8; }
bool scalar_is_signed(ScalarKind kind) { return info(kind).is_signed; }

std::string_view byte_order_name(ByteOrder order) { return order == ByteOrder::little ? "le" : "be"; }

std::optional<ByteOrder> parse_byte_order(std::string_view name) {
  if (name == "le") {
    return ByteOrder::little;
  }
  if (name == "be") {
    return ByteOrder::big;
  }
  return std::nullopt;
}

}  // namespace vgen::gen
