// Per-domain limits. Like XenStore daemons, vgen applies them to unprivileged callers only:
// domain 0 is the trusted toolstack. Defaults are the C daemon's (Xen 4.17).
#pragma once

#include <cstddef>

namespace vgen::store {

/// Bounds on what the daemon holds for connections: watch events waiting for them and
/// output not yet sent (event_queue.hpp counts the bytes; server.hpp applies the rest).
struct EventQueueLimits {
  std::size_t max_events = 1024;            ///< events waiting for one connection at most
  std::size_t max_bytes = 512 * 1024;       ///< bytes held for one connection: waiting events + unsent output
  std::size_t max_domain_bytes = 4u << 20;  ///< bytes held for all connections of one domain together
};

/// The limits; 0 never means "unlimited" except where stated.
struct Quotas {
  /// Nodes a domain may own; creating one more fails with ENOSPC.
  std::size_t nodes_per_domain = 1000;
  /// Watches a domain may hold over all its connections; one more fails with E2BIG.
  std::size_t watches_per_domain = 128;
  /// Transactions a domain may have open over all its connections; one more: ENOSPC.
  std::size_t transactions_per_domain = 10;
  /// Size of one node (value + child names with their NULs); larger: ENOSPC.
  std::size_t entry_size = 2048;
  /// Entries in one node's permission list; more: ENOSPC.
  std::size_t permissions_per_node = 5;
  /// Distinct nodes one transaction may touch; more: ENOSPC.
  std::size_t nodes_per_transaction = 1024;
  /// Bounds on the bytes held for connections and domains; these apply to every domain,
  /// dom0's too, because no domain should make the daemon's memory grow without bound.
  EventQueueLimits event_queue;
};

}  // namespace vgen::store
