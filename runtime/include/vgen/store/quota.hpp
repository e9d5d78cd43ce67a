// Per-domain limits. Like XenStore daemons, vgen applies them to unprivileged callers only:
// domain 0 is the trusted toolstack. Defaults are the C daemon's (Xen 4.17).
#pragma once

#include <cstddef>

namespace vgen::store {

/// Bounds on one connection's queue of undelivered watch events (see event_queue.hpp).
struct EventQueueLimits {
  std::size_t max_events = 1024;     ///< events waiting at most
  std::size_t max_bytes = 1u << 20;  ///< bytes of path + token waiting at most
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
  /// Per-connection watch-event queue bounds; these apply to every connection, dom0's too,
  /// because no domain should make the daemon's memory grow without bound.
  EventQueueLimits event_queue;
};

}  // namespace vgen::store
