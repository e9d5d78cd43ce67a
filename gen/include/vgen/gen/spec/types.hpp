// The message types of a spec (`types:`): structs, enums and flag sets, with the layout the
// layout pass computes for them. See docs/spec-format.md, "Types".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vgen/gen/diagnostics/location.hpp"
#include "vgen/gen/spec/integer.hpp"
#include "vgen/gen/spec/scalar.hpp"

namespace vgen::gen {

/// Size and alignment of a type, in bytes.
struct Layout {
  std::uint64_t size = 0;   ///< bytes, a multiple of `align`
  std::uint64_t align = 1;  ///< natural alignment: the largest alignment of any member
};

/// The type of a struct member as written (`u32`, `blk_segment`, `u8[16]`) and what it
/// resolves to.
struct FieldType {
  std::string spelling;              ///< as written in the spec: "u8[16]"
  std::string element;               ///< the name before any "[N]": "u8"
  std::uint64_t count = 0;           ///< array length, 0 when not an array
  std::optional<ScalarKind> scalar;  ///< set when `element` is a built-in integer
  std::optional<std::size_t> named;  ///< index in the TypeTable when `element` names a type

  bool is_array() const { return count != 0; }
};

/// One entry of a struct: a named field or padding (explicit `pad: N`, or inserted by the
/// layout pass to align the next field or the end of the struct).
struct Member {
  enum class Kind : std::uint8_t { field, padding };

  Kind kind = Kind::field;
  std::string name;                              ///< empty for padding
  std::string description;                       ///< free text from the spec, may be empty
  FieldType type;                                ///< unused for padding
  ByteOrder byte_order = ByteOrder::little;      ///< effective order of integer fields
  bool byte_order_declared = false;              ///< the field itself said `byte_order:`
  std::optional<std::uint64_t> declared_offset;  ///< `offset:` as written, checked by layout
  bool implicit = false;                         ///< padding the layout pass inserted
  std::uint64_t offset = 0;                      ///< computed: byte offset in the struct
  std::uint64_t size = 0;                        ///< computed: bytes (whole array for arrays)
  std::uint64_t align = 1;                       ///< computed: alignment (of the element)
  Location location;                             ///< where the entry starts in the spec
  Position name_position;                        ///< where the name is written
  Position type_position;                        ///< where the type is written
  Position offset_position;                      ///< where `offset:` is written, if it is
  Position byte_order_position;                  ///< where `byte_order:` is written, if it is

  bool is_padding() const { return kind == Kind::padding; }
};

/// `from: {header, struct}` on a struct (`from: {header, union}` on a union): the C type whose
/// layout `vgen check` verifies the spec's against (with clang, through `vgen import`).
struct StructSource {
  std::string header;  ///< a path, or a header found on the include path (`linux/virtio_blk.h`)
  /// The C struct's (union's) tag or typedef name; for a union also `outer.member`, the
  /// (possibly anonymous) union type of struct `outer`'s field `member`.
  std::string name;
  Location location;  ///< where `from:` is written
};

/// A struct, or a union (`kind: union`): members in wire order. A union's members all start
/// at offset 0 and it has no padding members; its size is its largest member's, rounded up to
/// its alignment.
struct StructType {
  std::vector<Member> members;                 ///< after layout: including implicit padding (structs)
  bool is_union = false;                       ///< `kind: union`: the members overlap at offset 0
  ByteOrder byte_order = ByteOrder::little;    ///< default for fields without `byte_order:`
  std::optional<std::uint64_t> declared_size;  ///< `size:` assertion, checked by layout
  Location declared_size_location;             ///< where `size:` was written
  std::optional<StructSource> from;            ///< `from:`, verified by `vgen check`
};

/// One named value of an enum.
struct EnumValue {
  std::string name;         ///< identifier of the value
  Integer value;            ///< fits the enum's underlying type
  std::string description;  ///< free text, may be empty
  Location location;        ///< where the entry starts
  Position name_position;   ///< where the name is written
};

/// An enum: named values of an underlying integer type.
struct EnumType {
  ScalarKind underlying = ScalarKind::u32;  ///< the integer type values travel as
  std::vector<EnumValue> values;            ///< in spec order; names and values unique
};

/// One named bit of a flags type.
struct FlagBit {
  std::string name;         ///< identifier of the flag
  unsigned bit = 0;         ///< 0 = least significant
  std::string description;  ///< free text, may be empty
  Location location;        ///< where the entry starts
  Position name_position;   ///< where the name is written
};

/// A set of single-bit flags in an unsigned integer.
struct FlagsType {
  ScalarKind underlying = ScalarKind::u32;  ///< an unsigned integer type
  std::vector<FlagBit> flags;               ///< in spec order; names and bits unique
};

/// What kind of named type a TypeDefinition is.
enum class TypeKind : std::uint8_t { structure, enumeration, flags };

/// "struct", "enum" or "flags", as spelled in specs.
std::string_view type_kind_name(TypeKind kind);

/// A named type from `types:`.
struct TypeDefinition {
  std::string name;         ///< unique among the spec's types
  std::string description;  ///< free text, may be empty
  Location location;        ///< where the entry starts
  /// The definition. monostate only while loading a spec that has errors in this entry;
  /// a model returned by the loader never contains it.
  std::variant<std::monostate, StructType, EnumType, FlagsType> body;
  Layout layout;           ///< computed by the layout pass
  bool valid = true;       ///< false while loading when the entry has errors (suppresses follow-ups)
  Position name_position;  ///< where the name is written

  /// The kind, or nothing for an invalid entry. A union's kind is `structure` (it has a
  /// StructType body); `is_union()` tells them apart.
  std::optional<TypeKind> kind() const;
  /// True for a `kind: union` type.
  bool is_union() const { return as_struct() != nullptr && as_struct()->is_union; }
  /// "struct", "union", "enum" or "flags", as spelled in specs ("struct" for an invalid entry).
  std::string_view kind_name() const;
  /// The body as a struct, enum or flags type, or null when it is another kind.
  const StructType* as_struct() const { return std::get_if<StructType>(&body); }
  StructType* as_struct() { return std::get_if<StructType>(&body); }
  const EnumType* as_enum() const { return std::get_if<EnumType>(&body); }
  const FlagsType* as_flags() const { return std::get_if<FlagsType>(&body); }
};

/// The types of one spec, in the order they were declared.
struct TypeTable {
  std::vector<TypeDefinition> types;  ///< in spec order

  /// Index of the type called `name`, or nothing.
  std::optional<std::size_t> find(std::string_view name) const;
  /// Every type name, for suggestions.
  std::vector<std::string> names() const;
};

}  // namespace vgen::gen
