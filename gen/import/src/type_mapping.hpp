// How a C field type maps to a spec type: the endianness typedefs by name, fixed-width and
// built-in integers by size, structs by reference; everything else refused with the reason.
#pragma once

#include <cstdint>
#include <string>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/Type.h>

namespace vgen::import {

/// A spec integer type (`u16`, `i64`) with its byte order.
struct SpecInteger {
  std::string type;
  std::uint64_t bytes = 0;
  bool big_endian = false;
  bool plain_char = false;  ///< C's `char`, signed or not as the target says: matches u8 and i8
};

/// The element type of a field: an integer, a struct (to import as its own type), or a
/// reason the spec cannot express it.
struct MappedType {
  enum class Kind { integer, record, refused };
  Kind kind = Kind::refused;
  SpecInteger integer;
  const clang::RecordDecl* record = nullptr;
  std::string problem;  ///< for `refused`: what the type is and why it cannot be imported
};

/// Maps a field's element type (arrays already taken apart). Typedefs are followed until a
/// name vgen knows (`__le32`, `__virtio16`, `__be64`, `__u8`, `uint32_t`, ...); an integer
/// reached through typedefs that are all unknown is refused, since its byte order is unknown.
/// Built-in integer types written as such travel in the target's byte order.
MappedType map_type(clang::QualType type, const clang::ASTContext& context);

/// The spec integer type of `bytes` bytes and the given signedness (`u8` .. `i64`), or ""
/// for a size the spec has no integer of.
std::string integer_name(std::uint64_t bytes, bool is_signed);

}  // namespace vgen::import
