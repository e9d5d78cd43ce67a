// Turns a valid model into the data tree templates are rendered from (one mustache template
// per output file). The keys are documented in docs/spec-format.md, "Template data".
// Numbers are strings (mustache has no numbers); every list item carries `first`/`last`
// booleans for separators; every name comes in the cases generated code needs.
#pragma once

#include <kainjow/mustache.hpp>

#include "vgen/gen/spec/spec.hpp"
#include "vgen/gen/spec/topology.hpp"

namespace vgen::gen {

/// The data tree of one device spec.
kainjow::mustache::data template_data(const Spec& spec);

/// The data tree of one topology, including each instance's spec under `instances`.
kainjow::mustache::data template_data(const Topology& topology);

}  // namespace vgen::gen
