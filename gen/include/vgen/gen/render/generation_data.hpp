// The data tree code generation renders from: template_data() plus the facts only generated
// code needs (structs in declaration order, each queue's message and reply types, which
// queue a driver-to-device message is echoed back on). Documented in docs/spec-format.md,
// "Generated code".
#pragma once

#include <kainjow/mustache.hpp>

#include "vgen/gen/spec/spec.hpp"

namespace vgen::gen {

/// Bytes of a buffer on a queue that carries raw bytes (no `messages:`).
inline constexpr std::uint32_t kRawBufferBytes = 512;

/// The data tree of `spec`, a valid spec, for code generation.
kainjow::mustache::data generation_data(const Spec& spec);

}  // namespace vgen::gen
