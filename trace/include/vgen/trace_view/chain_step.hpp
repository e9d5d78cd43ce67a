// How a record moves a chain along, for the views that follow chains (stats, export): a chain
// is made available when the driver adds it, the device takes it or an observer sees it in the
// avail ring, and returned when the device pushes it, an observer sees it used or the driver
// reclaims it. A log holding both sides records each step twice; the views count the first.
#pragma once

#include <vgen/trace/hooks.hpp>

namespace vgen::trace_view {

/// What a record of `kind` does to the chain it names.
enum class ChainStep {
  None,       ///< nothing: not a chain event
  Available,  ///< makes the chain available
  Returned,   ///< returns the chain (it was used)
};

/// The step a record of `kind` is.
inline ChainStep chain_step(trace::EventKind kind) {
  using trace::EventKind;
  switch (kind) {
    case EventKind::ChainAdded:
    case EventKind::ChainTaken:
    case EventKind::AvailSeen:
      return ChainStep::Available;
    case EventKind::UsedPushed:
    case EventKind::UsedSeen:
    case EventKind::UsedReclaimed:
      return ChainStep::Returned;
    default:
      return ChainStep::None;
  }
}

}  // namespace vgen::trace_view
