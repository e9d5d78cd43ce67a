// The store: the committed tree plus everything that belongs to connections (watches,
// transactions, queued watch events) and to domains (introduced or not, targets). No I/O:
// the wire protocol (protocol.hpp) and the daemon (server.hpp) sit on top.
//
// A connection is a client session with a domain id. Domain 0 is privileged: it bypasses
// permissions and quotas and may manage domains. Relative paths of a connection resolve
// under "/local/domain/<its domid>/".
//
// Memory: the store counts the bytes it holds for each connection (waiting watch events,
// plus the unsent output its owner reports with set_output_bytes) and for each domain. An
// event that would take a connection past EventQueueLimits::max_bytes, or its domain past
// max_domain_bytes, overflows the connection's queue (the owner then closes it).
//
// Watch events are appended to each watching connection's bounded EventQueue when a change
// takes effect (at once, or at commit for changes made in a transaction). A watcher of an
// unprivileged domain sees an event only if it may read the node (before or after the
// change) or its parent (change.hpp has the details); special-path events go to privileged
// watchers only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <vgen/store/change.hpp>
#include <vgen/store/domain.hpp>
#include <vgen/store/editor.hpp>
#include <vgen/store/event_queue.hpp>
#include <vgen/store/permissions.hpp>
#include <vgen/store/quota.hpp>
#include <vgen/store/transaction.hpp>
#include <vgen/store/tree.hpp>
#include <vgen/store/watch.hpp>

namespace vgen::store {

/// Identifies a connection for the lifetime of the store (never reused).
using ConnectionId = std::uint64_t;
/// A transaction id, unique among one connection's open transactions; 0 means "none".
using TransactionId = std::uint32_t;

/// Special path fired when a domain is introduced.
inline constexpr std::string_view kIntroduceDomainPath = "@introduceDomain";
/// Special path fired when a domain is released.
inline constexpr std::string_view kReleaseDomainPath = "@releaseDomain";

/// The whole store. Not copyable or movable (transactions refer to its tree).
class Store {
 public:
  explicit Store(Quotas quotas = {});
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // --- connections -------------------------------------------------------------------
  /// Opens a connection acting as `domid`.
  ConnectionId connect(DomainId domid);
  /// Closes a connection: its watches go, its open transactions are discarded.
  void disconnect(ConnectionId id);
  /// True while `id` is open.
  bool connected(ConnectionId id) const noexcept { return connections_.count(id) != 0; }
  /// The connection's domain.
  DomainId domain_of(ConnectionId id) const;
  /// The connection's identity for permission checks (domain and target).
  Requester requester(ConnectionId id) const;
  /// Makes a privileged connection act as `domid` from now on (it may not come back).
  /// EACCES if unprivileged, EBUSY while it has watches or open transactions.
  void set_domain(ConnectionId id, DomainId domid);

  // --- node operations (`path` as the client wrote it; `tx` 0 = outside transactions) ---
  // Rules in editor.hpp; a bad path is EINVAL, an unknown `tx` ENOENT. Changes outside a
  // transaction fire watches at once, changes inside one at its commit.

  /// The node's value.
  std::string read(ConnectionId id, TransactionId tx, std::string_view path);
  /// The node's child names (creation order) and generation.
  Listing directory(ConnectionId id, TransactionId tx, std::string_view path);
  /// The node's permission list, owner first.
  Permissions get_permissions(ConnectionId id, TransactionId tx, std::string_view path);
  /// Sets a value, creating the node and missing parents.
  void write(ConnectionId id, TransactionId tx, std::string_view path, std::string_view value);
  /// Creates an empty node unless it exists.
  void mkdir(ConnectionId id, TransactionId tx, std::string_view path);
  /// Removes a node and its subtree.
  void remove(ConnectionId id, TransactionId tx, std::string_view path);
  /// Replaces a node's permission list.
  void set_permissions(ConnectionId id, TransactionId tx, std::string_view path, const Permissions& permissions);

  // --- transactions --------------------------------------------------------------------
  /// Opens a transaction (several may be open per connection). ENOSPC past the quota.
  TransactionId transaction_start(ConnectionId id);
  /// Commits (`commit`) or discards it; the transaction is closed either way.
  /// ENOENT for an unknown id; EAGAIN on conflict (see transaction.hpp); ENOSPC if the
  /// committed result would break the node quota.
  void transaction_end(ConnectionId id, TransactionId tx, bool commit);
  /// Throws ENOENT unless `tx` is 0 or an open transaction of `id`.
  void check_transaction(ConnectionId id, TransactionId tx) const;

  // --- watches -------------------------------------------------------------------------
  /// Registers a watch and returns the event to send right after the reply (XenStore fires
  /// every new watch once). EEXIST for a duplicate (path, token); E2BIG past the quota.
  WatchEvent watch(ConnectionId id, std::string_view path, std::string_view token);
  /// Removes the watch with this (path, token); ENOENT if there is none (also when `path`
  /// is not a valid watch path: no watch can have it, and the C daemon says the same).
  void unwatch(ConnectionId id, std::string_view path, std::string_view token);
  /// RESET_WATCHES: removes all of the connection's watches and discards its open
  /// transactions (xenstore.txt: "Reset all watches and transactions of the caller").
  void reset_watches(ConnectionId id);

  // --- domains (managing calls need a privileged connection: EACCES otherwise) ----------
  /// Marks `domid` introduced and fires @introduceDomain (once per introduction).
  void introduce(ConnectionId id, DomainId domid);
  /// Forgets `domid` (ENOENT if not introduced; EINVAL for domain 0), fires @releaseDomain.
  void release(ConnectionId id, DomainId domid);
  /// Succeeds if `domid` is introduced (there is no ring to reconnect), else ENOENT.
  void resume(ConnectionId id, DomainId domid);
  /// Lets `domid` act with the rights of `target` (both must be introduced).
  void set_target(ConnectionId id, DomainId domid, DomainId target);
  /// True for domain 0 and introduced domains.
  bool is_introduced(DomainId domid) const noexcept { return introduced_.count(domid) != 0; }

  // --- event delivery and memory ---------------------------------------------------------
  /// The connection's queue of undelivered watch events.
  const EventQueue& events(ConnectionId id) const;
  /// Takes the connection's oldest waiting event, or nullopt.
  std::optional<WatchEvent> take_event(ConnectionId id);
  /// Records how many bytes of output (encoded, not yet sent) the owner holds for `id`;
  /// they count against the connection's and its domain's budgets.
  void set_output_bytes(ConnectionId id, std::size_t bytes);
  /// Bytes held for connection `id`: waiting events and reported output.
  std::size_t held_bytes(ConnectionId id) const;
  /// Bytes held for all connections of `domid`.
  std::size_t domain_held_bytes(DomainId domid) const;
  /// The most bytes ever held at once for the connections of `domid`.
  std::size_t domain_peak_bytes(DomainId domid) const;
  /// One line per domain that held bytes: "domain <id>: <bytes> bytes held, peak <bytes>".
  std::string memory_report() const;
  /// Connections that received events since the last call (each once).
  std::vector<ConnectionId> take_notified();
  /// Connections whose queue overflowed since the last call; the owner must disconnect them.
  std::vector<ConnectionId> take_overflowed();

  // --- introspection -------------------------------------------------------------------
  /// The committed tree.
  const Tree& tree() const noexcept { return tree_; }
  /// The limits in force.
  const Quotas& quotas() const noexcept { return quotas_; }
  /// Number of watches of connection `id`.
  std::size_t watch_count(ConnectionId id) const;
  /// Number of open transactions of connection `id`.
  std::size_t transaction_count(ConnectionId id) const;
  /// Every broken invariant, one sentence each (empty when sound): the tree's (tree.hpp),
  /// the per-domain watch, transaction and byte counts against the connections, queues
  /// within their connection's and domain's bounds. O(nodes + connections); for tests and
  /// fuzzers.
  std::vector<std::string> consistency_problems() const;

 private:
  /// A path a transaction changed; at commit it fires once, exactly on the path only if
  /// every change to it was the removal of a descendant (as in the C daemon).
  struct Fired {
    std::string path;
    bool exact = false;
  };
  struct Transaction {
    std::unique_ptr<TransactionView> view;
    std::vector<Fired> fired;                            ///< first-change order
    std::unordered_map<std::string, std::size_t> index;  ///< position in `fired` by path
    void note(const std::string& path, bool exact);
  };
  struct Connection {
    DomainId domain = 0;
    std::vector<Watch> watches;  ///< registration order (the order events are sent in)
    std::map<TransactionId, Transaction> transactions;
    TransactionId next_transaction = 1;
    EventQueue events;
    std::size_t output_bytes = 0;  ///< reported by the owner (set_output_bytes)
    bool notified = false;
    bool overflowed = false;
    std::size_t held() const noexcept { return events.bytes() + output_bytes; }
  };

  Connection& state(ConnectionId id);
  const Connection& state(ConnectionId id) const;
  Requester requester_of(const Connection& conn) const;
  void require_privileged(const Connection& conn, std::string_view operation) const;
  void run(ConnectionId id, TransactionId tx, const std::function<void(Editor&, DomainId)>& op);
  void fire(const Change& change);
  bool may_see(const Requester& who, const std::string& path, const std::vector<Permissions>& readable_by,
               const Permissions* parent, bool committed) const;
  void fire_committed(const Transaction& transaction);
  void deliver(ConnectionId id, Connection& conn, WatchEvent event);
  std::size_t room_for(const Connection& conn) const;
  void add_held(DomainId domid, std::size_t bytes);
  void remove_held(DomainId domid, std::size_t bytes);
  void drop_transactions(Connection& conn);

  Quotas quotas_;
  Tree tree_;
  std::map<ConnectionId, Connection> connections_;
  ConnectionId next_connection_ = 1;
  std::set<DomainId> introduced_{kPrivilegedDomain};
  std::map<DomainId, DomainId> targets_;
  std::unordered_map<DomainId, std::size_t> watches_by_domain_;
  std::unordered_map<DomainId, std::size_t> transactions_by_domain_;
  std::unordered_map<DomainId, std::size_t> held_by_domain_;
  std::map<DomainId, std::size_t> peak_by_domain_;
  std::vector<ConnectionId> notified_;
  std::vector<ConnectionId> overflowed_;
};

}  // namespace vgen::store
