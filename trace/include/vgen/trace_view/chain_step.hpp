// How a record moves a chain along, for the views that follow chains (stats, export): a chain
// is made available when the driver adds it, the device takes it or an observer sees it in the
// avail ring, and returned when the device pushes it, an observer sees it used or the driver
// reclaims it. A log holding both sides records each step twice; the views count the first.
#pragma once

#include <vgen/trace/hooks.hpp>
#include <vgen/trace/record.hpp>

namespace vgen::trace_view {

/// What a record of `kind` does to the chain it names.
enum class ChainStep {
  None,       ///< nothing: not a chain event
  Available,  ///< makes the chain available
  Returned,   ///< returns the chain (it was used)
};

/// The step a record of `kind` is: the chain events are those whose payload is a chain's
/// buffers (trace::payload_source()), readable when it is made available, written when returned.
inline ChainStep chain_step(trace::EventKind kind) {
  switch (trace::payload_source(kind)) {
    case trace::PayloadSource::Readable:
      return ChainStep::Available;
    case trace::PayloadSource::Written:
      return ChainStep::Returned;
    case trace::PayloadSource::Bytes:
      break;
  }
  return ChainStep::None;
}

}  // namespace vgen::trace_view
