// Writes imported types as a vgen spec (YAML) that `vgen check` accepts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vgen/import/types.hpp"

namespace vgen::import {

/// The rest of the spec around the types: a virtio device whose identity and single queue
/// are placeholders for the user to edit.
struct SpecFrame {
  std::string name;  ///< spec name, [a-z][a-z0-9_-]*
  std::uint32_t device_id = 1;
  std::vector<std::string> headers;  ///< for the comment saying where the types came from
};

/// The spec text: a comment naming the headers, the placeholders, then `types:`.
std::string write_spec(const ImportedTypes& types, const SpecFrame& frame);

}  // namespace vgen::import
