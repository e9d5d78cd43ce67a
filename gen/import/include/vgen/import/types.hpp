// The spec types `vgen import` makes from a header: structs laid out as clang lays them out,
// and enums from C enums or #define groups. Plain data, written as YAML by spec_writer.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vgen::import {

/// One entry of a struct's `fields:`: a named field, or `{pad: N}` for a hole in the layout.
struct ImportedMember {
  bool is_pad = false;
  std::string name;         ///< the field's name (empty for a pad)
  std::string type;         ///< spec type: `u16`, `i64`, `blkif_request_segment`, `u8[3]`
  bool big_endian = false;  ///< the field (or its array's elements) travels big-endian
  bool plain_char = false;  ///< C's `char` (or an array of it): u8 or i8 as the target says
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;  ///< size of the field or the pad
  std::string location;     ///< the field's declaration: `file:line:col` (empty for a pad)
};

/// A struct (or union) type with clang's size and every member at clang's offset.
struct ImportedStruct {
  std::string name;
  bool is_union = false;  ///< a C union: every member at offset 0, no pads
  std::string origin;     ///< where it is declared: `file:line`
  std::uint64_t size = 0;
  std::vector<ImportedMember> members;
};

/// One enum value; `value` is decimal, signed or unsigned as the value is.
struct ImportedValue {
  std::string name;
  std::string value;
};

/// An enum type: its integer type (`u32`, `i8`) and values in declaration order.
struct ImportedEnum {
  std::string name;
  std::string origin;
  std::string type;
  std::vector<ImportedValue> values;
};

/// What an import produced, in the order the spec lists it: structs (each after the structs
/// it contains), then enums.
struct ImportedTypes {
  std::vector<ImportedStruct> structs;
  std::vector<ImportedEnum> enums;
};

}  // namespace vgen::import
