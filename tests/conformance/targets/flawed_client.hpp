// A store connection with one flaw, given to one half of a split pair so that it breaks one
// Xenbus rule: the harness's broken split pairs are the reference xen-blk halves over it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <vgen/conform/split_target.hpp>
#include <vgen/store/client.hpp>

namespace vgen::conform_targets {

/// The rule a half breaks through its connection.
enum class ClientFlaw {
  FrontendRingAfterInitialised,  ///< ring-ref and event-channel written after the transaction of state 3
  BackendSkipsInitWait,          ///< the backend's switch to InitWait never reaches the store
  FrontendConnectsEarly,         ///< the frontend writes Connected where it meant Initialised
  BackendIgnoresClosing,         ///< the backend's Closing never reaches the store
  FrontendHidesRing,             ///< the frontend makes its ring-ref unreadable to the backend
  BackendPaddedState,            ///< the backend writes its state with a trailing space
  FrontendIgnoresClosing,        ///< the frontend's Closing and Closed never reach the store
  FrontendSplitsDetails,         ///< the frontend writes ring-ref on its own, before the transaction of state 3
  BackendInfoAfterConnected,     ///< what the backend publishes with Connected is written after it
  BackendIgnoresReconfiguring,   ///< the backend's Reconfigured never reaches the store
  FrontendTrustsVanishedBackend, ///< the frontend reads a missing backend state as Connected
  FrontendStaysClosed,           ///< the frontend's Initialised after a Closed never reaches the store
};

/// Wraps `inner` with `flaw`.
std::unique_ptr<store::Client> flawed_client(ClientFlaw flaw, store::Client& inner);

/// `target` whose frontend or backend (as the flaw says) has `flaw`, named `name`.
conform::SplitTarget flawed_split_target(conform::SplitTarget target, const std::string& name, ClientFlaw flaw);

}  // namespace vgen::conform_targets
