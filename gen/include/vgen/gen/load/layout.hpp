// The layout pass: resolves the type names fields refer to and computes every struct's
// member offsets, size and alignment with natural alignment (as a C compiler lays out a
// struct on x86-64/arm64: each integer aligned to its size, a struct to its largest member).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "vgen/gen/diagnostics/diagnostics.hpp"
#include "vgen/gen/spec/types.hpp"

namespace vgen::gen {

/// Largest type vgen lays out (16 MiB); bigger sizes are rejected rather than overflowed.
inline constexpr std::uint64_t kMaxTypeSize = std::uint64_t{1} << 24;

/// Deepest nesting of structs inside structs (arrays included) vgen lays out; deeper chains
/// are rejected rather than risking the stack.
inline constexpr std::size_t kMaxNestingDepth = 32;

/// Lays out every type of `table` in place: resolves `FieldType::named`, inserts implicit
/// padding members, fills offsets and `TypeDefinition::layout`. Reports unknown types,
/// recursive or too deep nesting, misaligned or overlapping explicit offsets, wrong `size:` assertions
/// and byte orders on non-integer fields. Types with errors get `valid = false`.
void lay_out_types(TypeTable& table, Diagnostics& diagnostics);

/// Lays out a VirtIO device configuration space against an already laid-out `table`. Like a
/// struct, except that its size ends with its last field: config space is never repeated
/// in an array, so it has no tail padding. Nothing when it has errors.
std::optional<Layout> lay_out_config(StructType& config, const TypeTable& table, Diagnostics& diagnostics);

/// `value` rounded up to a multiple of `align` (a power of two).
constexpr std::uint64_t align_up(std::uint64_t value, std::uint64_t align) {
  return (value + align - 1) & ~(align - 1);
}

/// True for 1, 2, 4, ...
constexpr bool is_power_of_two(std::uint64_t value) { return value != 0 && (value & (value - 1)) == 0; }

}  // namespace vgen::gen
