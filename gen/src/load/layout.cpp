// Natural-alignment layout of structs, as a C compiler for x86-64 or arm64 computes it:
// every integer is aligned to its size, an array to its element, a struct to its most
// aligned member, and a struct's size is rounded up to its alignment.
#include "vgen/gen/load/layout.hpp"

#include <algorithm>
#include <functional>

#include "vgen/gen/names/names.hpp"

namespace vgen::gen {
namespace {

// Looks up (and if need be lays out) the named type `index`, used by the field at `use`;
// nothing when that type is invalid (its errors are reported elsewhere).
using NamedLayout = std::function<std::optional<Layout>(std::size_t index, const Member& use)>;

Member implicit_padding(std::uint64_t offset, std::uint64_t size, const Location& location) {
  Member padding;
  padding.kind = Member::Kind::padding;
  padding.implicit = true;
  padding.offset = offset;
  padding.size = size;
  padding.location = location;
  return padding;
}

std::vector<std::string> type_candidates(const TypeTable& table) {
  std::vector<std::string> names{"u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"};
  std::vector<std::string> named = table.names();
  names.insert(names.end(), named.begin(), named.end());
  return names;
}

// Lays out one struct's members in order.
class StructLayout {
 public:
  enum class Tail : std::uint8_t { padded, unpadded };

  StructLayout(const TypeTable& table, Diagnostics& diagnostics, const NamedLayout& named, std::string what, Tail tail)
      : table_(table), diagnostics_(diagnostics), named_(named), what_(std::move(what)), tail_(tail) {}

  std::optional<Layout> run(StructType& structure) {
    bool ok = true;
    union_ = structure.is_union;
    for (Member& member : structure.members) {
      ok = (union_ ? place_overlapping(member) : place(member)) && ok;
    }
    if (!ok) {
      return std::nullopt;
    }
    return finish(structure);
  }

 private:
  std::string field_name(const Member& member) const { return "field '" + member.name + "' of " + what_; }

  // Size and alignment of a field's element type; resolves `type.named`.
  std::optional<Layout> element_layout(Member& member) {
    FieldType& type = member.type;
    if (type.scalar) {
      std::uint64_t size = scalar_size(*type.scalar);
      return Layout{size, size};
    }
    type.named = table_.find(type.element);
    if (!type.named) {
      diagnostics_.error(member.location.at(member.type_position),
                         "unknown type '" + type.element + "' for " + field_name(member) +
                             suggestion(type.element, type_candidates(table_)));
      return std::nullopt;
    }
    const TypeDefinition& definition = table_.types[*type.named];
    if (member.byte_order_declared && definition.kind() == TypeKind::structure) {
      diagnostics_.error(member.location.at(member.byte_order_position),
                         "byte_order does not apply to " + field_name(member) + ": its type '" + definition.name +
                             "' is a " + std::string(definition.kind_name()) + ", whose fields have their own");
      return std::nullopt;
    }
    return named_(*type.named, member);
  }

  // A union member: at offset 0, the union as large as its largest member.
  bool place_overlapping(Member& member) {
    if (member.is_padding()) {
      diagnostics_.error(member.location.at(member.name_position),
                         "padding in " + what_ + ": a union's members overlap at offset 0, and its size is its " +
                             "largest member's; to make it larger, add a member that large (u8[N])");
      return false;
    }
    if (member.declared_offset && *member.declared_offset != 0) {
      diagnostics_.error(member.location.at(member.offset_position),
                         field_name(member) + " at offset " + std::to_string(*member.declared_offset) +
                             ": every member of a union starts at offset 0");
      return false;
    }
    if (!size(member)) {
      return false;
    }
    member.offset = 0;
    offset_ = std::max(offset_, member.size);
    align_ = std::max(align_, member.align);
    laid_out_.push_back(member);
    return true;
  }

  // Sets a member's size and alignment from its type (an array: the element's times its
  // count); false, with the error reported, when the type has no layout or is too large.
  bool size(Member& member) {
    std::optional<Layout> element = element_layout(member);
    if (!element) {
      return false;
    }
    std::uint64_t count = member.type.is_array() ? member.type.count : 1;
    if (element->size > kMaxTypeSize / count) {
      diagnostics_.error(
          member.location.at(member.type_position),
          field_name(member) + " is larger than the " + std::to_string(kMaxTypeSize >> 20) + " MiB limit");
      return false;
    }
    member.size = element->size * count;
    member.align = element->align;
    return true;
  }

  bool place(Member& member) {
    if (member.is_padding()) {
      member.offset = offset_;
      member.align = 1;
      offset_ += member.size;
      laid_out_.push_back(member);
      return true;
    }
    if (!size(member)) {
      return false;
    }
    std::optional<std::uint64_t> offset =
        member.declared_offset ? check_offset(member) : align_up(offset_, member.align);
    if (!offset) {
      return false;
    }
    if (*offset > offset_) {
      laid_out_.push_back(implicit_padding(offset_, *offset - offset_, member.location));
    }
    member.offset = *offset;
    offset_ = *offset + member.size;
    align_ = std::max(align_, member.align);
    laid_out_.push_back(member);
    return true;
  }

  // Checks an explicit `offset:` against the members before it and the field's alignment.
  std::optional<std::uint64_t> check_offset(const Member& member) {
    std::uint64_t offset = *member.declared_offset;
    if (offset < offset_) {
      for (const Member& previous : laid_out_) {
        if (!previous.is_padding() && offset >= previous.offset && offset < previous.offset + previous.size) {
          diagnostics_.error(member.location.at(member.offset_position),
                             field_name(member) + " at offset " + std::to_string(offset) + " overlaps field '" +
                                 previous.name + "' (offsets " + std::to_string(previous.offset) + " to " +
                                 std::to_string(previous.offset + previous.size - 1) + ")");
          return std::nullopt;
        }
      }
      diagnostics_.error(member.location.at(member.offset_position),
                         field_name(member) + " at offset " + std::to_string(offset) +
                             " comes before the end of the previous member (offset " + std::to_string(offset_) +
                             "); list members in offset order");
      return std::nullopt;
    }
    if (offset % member.align != 0) {
      diagnostics_.error(member.location.at(member.offset_position),
                         field_name(member) + " at offset " + std::to_string(offset) + " is misaligned: its type '" +
                             member.type.element + "' needs " + std::to_string(member.align) + "-byte alignment");
      return std::nullopt;
    }
    return offset;
  }

  std::optional<Layout> finish(StructType& structure) {
    std::uint64_t size = tail_ == Tail::padded ? align_up(offset_, align_) : offset_;
    if (size > kMaxTypeSize) {
      diagnostics_.error(structure.members.empty() ? Location{} : structure.members.front().location,
                         what_ + " is larger than the " + std::to_string(kMaxTypeSize >> 20) + " MiB limit");
      return std::nullopt;
    }
    if (size > offset_ && !union_) {
      laid_out_.push_back(implicit_padding(offset_, size - offset_, structure.members.back().location));
    }
    if (structure.declared_size && *structure.declared_size != size) {
      diagnostics_.error(structure.declared_size_location, what_ + " is " + std::to_string(size) +
                                                               " bytes, but its declared size is " +
                                                               std::to_string(*structure.declared_size));
      return std::nullopt;
    }
    structure.members = std::move(laid_out_);
    return Layout{size, align_};
  }

  const TypeTable& table_;
  Diagnostics& diagnostics_;
  const NamedLayout& named_;
  std::string what_;
  Tail tail_;
  bool union_ = false;        // laying out a union: every member at offset 0
  std::uint64_t offset_ = 0;  // end of the members so far (a union: of the largest)
  std::uint64_t align_ = 1;
  std::vector<Member> laid_out_;
};

// Lays out a whole table, visiting nested structs first and detecting cycles.
class TablePass {
 public:
  TablePass(TypeTable& table, Diagnostics& diagnostics)
      : table_(table), diagnostics_(diagnostics), states_(table.types.size(), State::pending) {}

  void run() {
    for (std::size_t index = 0; index < table_.types.size(); ++index) {
      ensure(index, nullptr);
    }
  }

 private:
  enum class State { pending, visiting, done };

  struct Frame {
    std::size_t type;
    std::string field;  // the field being laid out
  };

  std::optional<Layout> ensure(std::size_t index, const Member* use) {
    TypeDefinition& type = table_.types[index];
    if (states_[index] == State::visiting) {
      report_cycle(index, *use);
      return std::nullopt;
    }
    if (states_[index] == State::pending && stack_.size() >= kMaxNestingDepth) {
      diagnostics_.error(use->location.at(use->type_position),
                         "struct nesting is deeper than " + std::to_string(kMaxNestingDepth) + " levels at field '" +
                             use->name + "' of struct '" + table_.types[stack_.back().type].name +
                             "' (starting from struct '" + table_.types[stack_.front().type].name + "')");
      return std::nullopt;
    }
    if (states_[index] == State::pending) {
      states_[index] = State::visiting;
      type.valid = type.valid && lay_out(index);
      states_[index] = State::done;
    }
    if (!type.valid) {
      return std::nullopt;
    }
    return type.layout;
  }

  bool lay_out(std::size_t index) {
    TypeDefinition& type = table_.types[index];
    if (const EnumType* enumeration = type.as_enum()) {
      std::uint64_t size = scalar_size(enumeration->underlying);
      type.layout = Layout{size, size};
      return true;
    }
    if (const FlagsType* flags = type.as_flags()) {
      std::uint64_t size = scalar_size(flags->underlying);
      type.layout = Layout{size, size};
      return true;
    }
    StructType* structure = type.as_struct();
    if (structure == nullptr) {
      return false;
    }
    stack_.push_back(Frame{index, ""});
    NamedLayout named = [this](std::size_t nested, const Member& use) {
      stack_.back().field = use.name;
      return ensure(nested, &use);
    };
    std::optional<Layout> layout =
        StructLayout(table_, diagnostics_, named, std::string(type.kind_name()) + " '" + type.name + "'",
                     StructLayout::Tail::padded)
            .run(*structure);
    stack_.pop_back();
    if (layout) {
      type.layout = *layout;
    }
    return layout.has_value();
  }

  // "struct 'a' contains itself (a.b -> b.a -> a)", reported at the field closing the cycle.
  void report_cycle(std::size_t index, const Member& use) {
    std::string path;
    bool in_cycle = false;
    for (const Frame& frame : stack_) {
      in_cycle = in_cycle || frame.type == index;
      if (in_cycle) {
        path += table_.types[frame.type].name + "." + frame.field + " -> ";
      }
    }
    const std::string& name = table_.types[index].name;
    diagnostics_.error(use.location.at(use.type_position),
                       "recursive struct nesting: " + std::string(table_.types[index].kind_name()) + " '" + name +
                           "' contains itself (" + path + name + ")");
  }

  TypeTable& table_;
  Diagnostics& diagnostics_;
  std::vector<State> states_;
  std::vector<Frame> stack_;
};

}  // namespace

void lay_out_types(TypeTable& table, Diagnostics& diagnostics) { TablePass(table, diagnostics).run(); }

std::optional<Layout> lay_out_config(StructType& config, const TypeTable& table, Diagnostics& diagnostics) {
  NamedLayout named = [&table](std::size_t index, const Member&) -> std::optional<Layout> {
    const TypeDefinition& type = table.types[index];
    if (!type.valid) {
      return std::nullopt;
    }
    return type.layout;
  };
  return StructLayout(table, diagnostics, named, "config", StructLayout::Tail::unpadded).run(config);
}

}  // namespace vgen::gen
