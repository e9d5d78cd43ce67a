// Helpers for the generator's unit tests: load a spec from text and fail with its
// diagnostics when it was expected to be valid.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "vgen/gen/load/loader.hpp"

namespace vgen::gen::testing {

/// All diagnostics of `result`, one per line, for assertion messages.
inline std::string diagnostics_text(const LoadResult& result) {
  std::string text;
  for (const Diagnostic& diagnostic : result.diagnostics.sorted()) {
    text += diagnostic.to_string() + "\n";
  }
  return text;
}

/// Loads `text` (named "test.yaml") and returns the spec; fails the test if it is invalid.
inline Spec valid_spec(std::string_view text) {
  LoadResult result = load_text(text, "test.yaml");
  EXPECT_TRUE(result.ok()) << diagnostics_text(result);
  if (!result.ok() || !std::holds_alternative<Spec>(*result.document)) {
    ADD_FAILURE() << "not a valid spec";
    return Spec{};
  }
  return std::get<Spec>(*result.document);
}

/// Loads `text` expecting errors; returns the sorted diagnostics as text.
inline std::string errors_of(std::string_view text) {
  LoadResult result = load_text(text, "test.yaml");
  EXPECT_FALSE(result.ok()) << "expected errors";
  return diagnostics_text(result);
}

/// The member of `structure` called `name` (fails the test when absent).
inline const Member& member(const StructType& structure, std::string_view name) {
  for (const Member& candidate : structure.members) {
    if (candidate.name == name) {
      return candidate;
    }
  }
  ADD_FAILURE() << "no member " << name;
  static const Member kNone;
  return kNone;
}

/// The struct type called `name` of `spec` (fails the test when absent).
inline const TypeDefinition& type_named(const Spec& spec, std::string_view name) {
  std::optional<std::size_t> index = spec.types.find(name);
  if (!index) {
    ADD_FAILURE() << "no type " << name;
    static const TypeDefinition kNone;
    return kNone;
  }
  return spec.types.types[*index];
}

/// A minimal virtio spec around `types` (a `types:` list in YAML, indented two spaces).
inline std::string virtio_with_types(std::string_view types) {
  return "kind: virtio\nname: test\ndevice_id: 4\nqueues:\n  - {name: q, size: 8, direction: driver-to-device}\ntypes:\n" +
         std::string(types);
}

}  // namespace vgen::gen::testing
