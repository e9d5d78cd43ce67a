// The built-in fixed-width integer types of the spec language and the two byte orders.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vgen::gen {

/// A built-in integer type: u8, u16, u32, u64, i8, i16, i32, i64.
enum class ScalarKind : std::uint8_t { u8, u16, u32, u64, i8, i16, i32, i64 };

/// The kind spelled `name` ("u32"), or nothing when `name` is not a built-in type.
std::optional<ScalarKind> parse_scalar(std::string_view name);
/// The spelling in specs: "u32".
std::string_view scalar_name(ScalarKind kind);
/// The <cstdint> type: "uint32_t".
std::string_view scalar_c_type(ScalarKind kind);
/// Width in bytes (1, 2, 4 or 8); also the natural alignment.
unsigned scalar_size(ScalarKind kind);
/// Width in bits.
unsigned scalar_bits(ScalarKind kind);
/// True for i8..i64.
bool scalar_is_signed(ScalarKind kind);

/// Byte order of a multi-byte integer on the wire. VirtIO 1.x structures are little-endian.
enum class ByteOrder : std::uint8_t { little, big };

/// The spelling in specs: "le" or "be".
std::string_view byte_order_name(ByteOrder order);
/// The order spelled `name`, or nothing.
std::optional<ByteOrder> parse_byte_order(std::string_view name);

}  // namespace vgen::gen
