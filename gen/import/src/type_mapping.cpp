// How a C field type maps to a spec type.
#include "type_mapping.hpp"

#include <array>
#include <string_view>

#include <clang/Basic/TargetInfo.h>

namespace vgen::import {

namespace {

// The byte order a known typedef name fixes: Linux's __le/__be types, VirtIO's __virtio types
// (little-endian for VirtIO 1.x devices), and the host-order fixed-width integer names.
enum class Order { native, little, big };

struct KnownName {
  std::string_view name;
  Order order;
};

constexpr std::array kKnownNames{
    KnownName{"__le16", Order::little},     KnownName{"__le32", Order::little},
    KnownName{"__le64", Order::little},     KnownName{"__be16", Order::big},
    KnownName{"__be32", Order::big},        KnownName{"__be64", Order::big},
    KnownName{"__virtio16", Order::little}, KnownName{"__virtio32", Order::little},
    KnownName{"__virtio64", Order::little}, KnownName{"__u8", Order::native},
    KnownName{"__u16", Order::native},      KnownName{"__u32", Order::native},
    KnownName{"__u64", Order::native},      KnownName{"__s8", Order::native},
    KnownName{"__s16", Order::native},      KnownName{"__s32", Order::native},
    KnownName{"__s64", Order::native},      KnownName{"uint8_t", Order::native},
    KnownName{"uint16_t", Order::native},   KnownName{"uint32_t", Order::native},
    KnownName{"uint64_t", Order::native},   KnownName{"int8_t", Order::native},
    KnownName{"int16_t", Order::native},    KnownName{"int32_t", Order::native},
    KnownName{"int64_t", Order::native},
};

const KnownName* known_name(std::string_view name) {
  for (const KnownName& known : kKnownNames) {
    if (known.name == name) return &known;
  }
  return nullptr;
}

std::string describe(clang::QualType type, const clang::ASTContext& context) {
  clang::PrintingPolicy policy(context.getLangOpts());
  return type.getAsString(policy);
}

MappedType refused(std::string problem) {
  MappedType mapped;
  mapped.problem = std::move(problem);
  return mapped;
}

// The integer `canonical` is, in the given byte order; refused when it is not an integer the
// spec has (bool, _BitInt, 128-bit).
MappedType integer(clang::QualType canonical, Order order, const std::string& spelled,
                   const clang::ASTContext& context) {
  if (const auto* enumeration = canonical->getAs<clang::EnumType>()) {
    canonical = enumeration->getDecl()->getIntegerType().getCanonicalType();
  }
  if (!canonical->isIntegerType() || canonical->isBooleanType()) {
    return refused("type '" + spelled + "' is not an integer, struct or array the spec can express");
  }
  const std::uint64_t bytes = context.getTypeSize(canonical) / 8;
  const std::string name = integer_name(bytes, canonical->isSignedIntegerType());
  if (name.empty()) return refused("type '" + spelled + "' is an integer of " + std::to_string(bytes) + " bytes");
  MappedType mapped;
  mapped.kind = MappedType::Kind::integer;
  mapped.integer.type = name;
  mapped.integer.bytes = bytes;
  const bool target_big = context.getTargetInfo().isBigEndian();
  mapped.integer.big_endian = order == Order::big || (order == Order::native && target_big);
  mapped.integer.plain_char = canonical->isSpecificBuiltinType(clang::BuiltinType::Char_S) ||
                              canonical->isSpecificBuiltinType(clang::BuiltinType::Char_U);
  return mapped;
}

}  // namespace

std::string integer_name(std::uint64_t bytes, bool is_signed) {
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) return "";
  return std::string(is_signed ? "i" : "u") + std::to_string(bytes * 8);
}

MappedType map_type(clang::QualType type, const clang::ASTContext& context) {
  const std::string spelled = describe(type, context);
  std::string first_typedef;
  clang::QualType current = type;
  // Follow the sugar: a known name decides; unknown typedef names are remembered.
  for (;;) {
    const clang::Type* node = current.getTypePtr();
    if (const auto* elaborated = llvm::dyn_cast<clang::ElaboratedType>(node)) {
      current = elaborated->getNamedType();
      continue;
    }
    if (const auto* paren = llvm::dyn_cast<clang::ParenType>(node)) {
      current = paren->getInnerType();
      continue;
    }
    if (const auto* attributed = llvm::dyn_cast<clang::AttributedType>(node)) {
      current = attributed->getModifiedType();
      continue;
    }
    if (const auto* named = llvm::dyn_cast<clang::TypedefType>(node)) {
      const std::string name = named->getDecl()->getName().str();
      if (const KnownName* known = known_name(name)) {
        return integer(current.getCanonicalType(), known->order, spelled, context);
      }
      if (first_typedef.empty()) first_typedef = name;
      current = named->getDecl()->getUnderlyingType();
      continue;
    }
    break;
  }
  const clang::QualType canonical = current.getCanonicalType();
  if (canonical->isPointerType() || canonical->isReferenceType() || canonical->isMemberPointerType()) {
    return refused("type '" + spelled + "' is a pointer, which has no place in a message");
  }
  if (const auto* record = canonical->getAs<clang::RecordType>()) {
    const clang::RecordDecl* declaration = record->getDecl();
    if (declaration->getDefinition() == nullptr) {
      return refused("type '" + spelled + "' is an incomplete " + (declaration->isUnion() ? "union" : "struct"));
    }
    MappedType mapped;
    mapped.kind = MappedType::Kind::record;
    mapped.record = declaration->getDefinition();
    return mapped;
  }
  if (canonical->isArrayType()) {
    return refused("type '" + spelled + "' is an array of arrays; spec arrays have one dimension");
  }
  if (canonical->isIntegerType() && !canonical->isBooleanType() && !first_typedef.empty()) {
    return refused("type '" + spelled + "' is '" + describe(canonical, context) + "' through the typedef '" +
                   first_typedef + "', which vgen does not know, so its byte order is unknown; use __le*, __be*, " +
                   "__virtio*, __u*, __s*, uint*_t or int*_t");
  }
  return integer(canonical, Order::native, spelled, context);
}

}  // namespace vgen::import
