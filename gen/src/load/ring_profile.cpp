#include "load/ring_profile.hpp"

#include <string>
#include <vector>

namespace vgen::gen {

std::string_view ring_profile_name(RingProfile profile) { return profile == RingProfile::blkif ? "blkif" : "none"; }

}  // namespace vgen::gen

namespace vgen::gen::detail {
namespace {

// An integer (or enum, or flags value) a profile reads at a fixed place.
struct Slot {
  std::uint64_t offset;
  std::uint64_t size;
  bool needs_sign;
  const char* role;
};

// An array of structs a profile reads at a fixed place, each element with its own slots.
struct ArraySlot {
  std::uint64_t offset;
  std::uint64_t count;
  std::uint64_t element_size;
  std::vector<Slot> element;
  const char* role;
};

// The layout one side of the ring must have.
struct Shape {
  const char* what;  // "request" or "response"
  std::uint64_t size;
  std::vector<Slot> slots;
  std::vector<ArraySlot> arrays;
};

// xen/io/blkif.h, struct blkif_request and struct blkif_response (x86_64 layout, as vgen's
// runtime reads them: vgen/xen/blkif.hpp).
const Shape kBlkifRequest{
    "request",
    112,
    {{0, 1, false, "operation"},
     {1, 1, false, "nr_segments"},
     {2, 2, false, "handle"},
     {8, 8, false, "id"},
     {16, 8, false, "sector_number"}},
    {{24, 11, 8, {{0, 4, false, "gref"}, {4, 1, false, "first_sect"}, {5, 1, false, "last_sect"}}, "seg"}}};
const Shape kBlkifResponse{
    "response", 16, {{0, 8, false, "id"}, {8, 1, false, "operation"}, {10, 2, true, "status"}}, {}};

// The integer kind of a member (scalar, enum or flags), when it is a single one.
std::optional<ScalarKind> integer_kind(const Member& member, const TypeTable& types) {
  if (member.is_padding() || member.type.is_array()) return std::nullopt;
  if (member.type.scalar) return member.type.scalar;
  if (!member.type.named) return std::nullopt;
  const TypeDefinition& type = types.types[*member.type.named];
  if (const EnumType* enumeration = type.as_enum()) return enumeration->underlying;
  if (const FlagsType* flags = type.as_flags()) return flags->underlying;
  return std::nullopt;
}

const Member* field_at(const StructType& structure, std::uint64_t offset) {
  for (const Member& member : structure.members) {
    if (!member.is_padding() && member.offset == offset) return &member;
  }
  return nullptr;
}

std::string integer_wanted(const Slot& slot) {
  return std::string("a ") + (slot.needs_sign ? "signed " : "") + "little-endian integer or enum of " +
         std::to_string(slot.size) + " byte(s) at offset " + std::to_string(slot.offset) + " (blkif's " + slot.role +
         ")";
}

// The checks run with the context of the type they look at, for messages.
class ProfileCheck {
 public:
  ProfileCheck(Reader& reader, const Location& where, const TypeTable& types, const char* profile)
      : reader_(reader), where_(where), types_(types), profile_(profile) {}

  void shape(const Shape& shape, const TypeDefinition& type) {
    const StructType& structure = *type.as_struct();
    if (type.layout.size != shape.size) {
      error(where_, "the " + std::string(shape.what) + " '" + type.name + "' has " + std::to_string(type.layout.size) +
                        " bytes; it needs " + std::to_string(shape.size));
      return;
    }
    for (const Slot& slot : shape.slots) integer(slot, structure, shape.what, type.name);
    for (const ArraySlot& array : shape.arrays) structs(array, structure, shape.what, type.name);
  }

 private:
  void error(const Location& location, const std::string& text) {
    reader_.error(location, "ring profile '" + std::string(profile_) + "': " + text);
  }

  void integer(const Slot& slot, const StructType& structure, const std::string& what, const std::string& owner) {
    const Member* member = field_at(structure, slot.offset);
    const std::string wanted = "the " + what + " '" + owner + "' needs " + integer_wanted(slot);
    if (member == nullptr) {
      error(where_, wanted + "; it has none there");
      return;
    }
    const std::optional<ScalarKind> kind = integer_kind(*member, types_);
    const bool fits = kind && scalar_size(*kind) == slot.size && (!slot.needs_sign || scalar_is_signed(*kind)) &&
                      (slot.size == 1 || member->byte_order == ByteOrder::little);
    if (!fits) {
      error(member->location, wanted + "; field '" + member->name + "' is " + member->type.spelling + " (" +
                                  std::to_string(member->size) + " byte(s), " +
                                  std::string(byte_order_name(member->byte_order)) + ")");
    }
  }

  void structs(const ArraySlot& array, const StructType& structure, const std::string& what, const std::string& owner) {
    const Member* member = field_at(structure, array.offset);
    const std::string wanted = "the " + what + " '" + owner + "' needs an array of " + std::to_string(array.count) +
                               " " + std::to_string(array.element_size) + "-byte structs at offset " +
                               std::to_string(array.offset) + " (blkif's " + array.role + ")";
    const TypeDefinition* element =
        member != nullptr && member->type.named ? &types_.types[*member->type.named] : nullptr;
    if (element == nullptr || member->type.count != array.count || element->as_struct() == nullptr ||
        element->layout.size != array.element_size) {
      error(member != nullptr ? member->location : where_,
            wanted + (member != nullptr ? "; field '" + member->name + "' is " + member->type.spelling
                                        : std::string("; it has none there")));
      return;
    }
    for (const Slot& slot : array.element) integer(slot, *element->as_struct(), "struct", element->name);
  }

  Reader& reader_;
  const Location& where_;
  const TypeTable& types_;
  const char* profile_;
};

}  // namespace

void check_ring_profile(Reader& reader, const Location& where, const SplitDevice& device, const TypeTable& types) {
  if (device.profile != RingProfile::blkif || !device.request.index || !device.response.index) return;
  ProfileCheck check(reader, where, types, "blkif");
  check.shape(kBlkifRequest, types.types[*device.request.index]);
  check.shape(kBlkifResponse, types.types[*device.response.index]);
}

}  // namespace vgen::gen::detail
