// Ring profiles (`ring: {profile: blkif}`): a spec asks for a behaviour of vgen's runtime by
// name, and the loader checks that the ring's types have the layout that behaviour reads.
// Nothing is inferred from field names: the profile is chosen explicitly, and the check is
// about offsets, sizes and integer kinds only.
#pragma once

#include "vgen/gen/spec/split.hpp"
#include "vgen/gen/spec/types.hpp"
#include "yaml/reader.hpp"

namespace vgen::gen::detail {

/// Reports, at `where` (the profile's value) or at the offending field, every way the ring's
/// request and response types differ from the layout `device.profile` needs.
void check_ring_profile(Reader& reader, const Location& where, const SplitDevice& device, const TypeTable& types);

}  // namespace vgen::gen::detail
