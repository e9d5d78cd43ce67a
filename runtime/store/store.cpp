#include <vgen/store/store.hpp>

#include <algorithm>

#include <vgen/store/error.hpp>
#include <vgen/store/path.hpp>

namespace vgen::store {
namespace {

void decrement(std::unordered_map<DomainId, std::size_t>& counts, DomainId domid, std::size_t by) {
  auto at = counts.find(domid);
  if (at == counts.end()) return;
  at->second -= std::min(at->second, by);
  if (at->second == 0) counts.erase(at);
}

}  // namespace

Store::Store(Quotas quotas) : quotas_(quotas) {}

void Store::Transaction::note(const std::string& path, bool exact) {
  auto [at, added] = index.try_emplace(path, fired.size());
  if (added) {
    fired.push_back(Fired{path, exact});
  } else if (!exact) {
    fired[at->second].exact = false;
  }
}

// --- connections ---------------------------------------------------------------------------

ConnectionId Store::connect(DomainId domid) {
  const ConnectionId id = next_connection_++;
  Connection conn;
  conn.domain = domid;
  conn.events = EventQueue(quotas_.event_queue.max_events);
  connections_.emplace(id, std::move(conn));
  return id;
}

void Store::drop_transactions(Connection& conn) {
  decrement(transactions_by_domain_, conn.domain, conn.transactions.size());
  conn.transactions.clear();
}

void Store::disconnect(ConnectionId id) {
  auto at = connections_.find(id);
  if (at == connections_.end()) return;
  drop_transactions(at->second);
  decrement(watches_by_domain_, at->second.domain, at->second.watches.size());
  remove_held(at->second.domain, at->second.held());
  connections_.erase(at);
}

Store::Connection& Store::state(ConnectionId id) {
  auto at = connections_.find(id);
  if (at == connections_.end()) throw Error(ErrorCode::NotFound, "no connection " + std::to_string(id));
  return at->second;
}

const Store::Connection& Store::state(ConnectionId id) const {
  auto at = connections_.find(id);
  if (at == connections_.end()) throw Error(ErrorCode::NotFound, "no connection " + std::to_string(id));
  return at->second;
}

DomainId Store::domain_of(ConnectionId id) const { return state(id).domain; }

Requester Store::requester_of(const Connection& conn) const {
  Requester who{conn.domain, std::nullopt};
  auto target = targets_.find(conn.domain);
  if (target != targets_.end()) who.target = target->second;
  return who;
}

Requester Store::requester(ConnectionId id) const { return requester_of(state(id)); }

void Store::require_privileged(const Connection& conn, std::string_view operation) const {
  if (conn.domain != kPrivilegedDomain) {
    throw Error(ErrorCode::Access,
                std::string(operation) + " needs domain 0; caller is domain " + std::to_string(conn.domain));
  }
}

void Store::set_domain(ConnectionId id, DomainId domid) {
  Connection& conn = state(id);
  require_privileged(conn, "set-domid");
  if (!conn.watches.empty() || !conn.transactions.empty()) {
    throw Error(ErrorCode::Busy, "set-domid: connection has " + std::to_string(conn.watches.size()) + " watches and " +
                                     std::to_string(conn.transactions.size()) +
                                     " open transactions; it must have none");
  }
  remove_held(conn.domain, conn.held());
  conn.domain = domid;
  add_held(conn.domain, conn.held());
}

// --- node operations -----------------------------------------------------------------------

void Store::run(ConnectionId id, TransactionId tx, const std::function<void(Editor&, DomainId)>& op) {
  Connection& conn = state(id);
  const Requester who = requester_of(conn);
  std::vector<Change> changes;
  if (tx == 0) {
    Editor editor(tree_, who, quotas_, changes);
    op(editor, conn.domain);
    for (const Change& change : changes) fire(change);
    return;
  }
  check_transaction(id, tx);
  Transaction& transaction = conn.transactions.at(tx);
  Editor editor(*transaction.view, who, quotas_, changes);
  op(editor, conn.domain);
  for (const Change& change : changes) {
    for (const RemovedNode& removed : change.removed) transaction.note(removed.path, true);
    transaction.note(change.path, false);
  }
}

std::string Store::read(ConnectionId id, TransactionId tx, std::string_view path) {
  std::string value;
  run(id, tx, [&](Editor& e, DomainId d) { value = e.read(resolve_path(path, d).absolute); });
  return value;
}

Listing Store::directory(ConnectionId id, TransactionId tx, std::string_view path) {
  Listing listing;
  run(id, tx, [&](Editor& e, DomainId d) { listing = e.directory(resolve_path(path, d).absolute); });
  return listing;
}

Permissions Store::get_permissions(ConnectionId id, TransactionId tx, std::string_view path) {
  Permissions permissions;
  run(id, tx, [&](Editor& e, DomainId d) { permissions = e.get_permissions(resolve_path(path, d).absolute); });
  return permissions;
}

void Store::write(ConnectionId id, TransactionId tx, std::string_view path, std::string_view value) {
  run(id, tx, [&](Editor& e, DomainId d) { e.write(resolve_path(path, d).absolute, value); });
}

void Store::mkdir(ConnectionId id, TransactionId tx, std::string_view path) {
  run(id, tx, [&](Editor& e, DomainId d) { e.mkdir(resolve_path(path, d).absolute); });
}

void Store::remove(ConnectionId id, TransactionId tx, std::string_view path) {
  run(id, tx, [&](Editor& e, DomainId d) { e.remove(resolve_path(path, d).absolute); });
}

void Store::set_permissions(ConnectionId id, TransactionId tx, std::string_view path, const Permissions& permissions) {
  run(id, tx, [&](Editor& e, DomainId d) { e.set_permissions(resolve_path(path, d).absolute, permissions); });
}

// --- transactions --------------------------------------------------------------------------

void Store::check_transaction(ConnectionId id, TransactionId tx) const {
  if (tx == 0) return;
  const Connection& conn = state(id);
  if (conn.transactions.count(tx) == 0) {
    throw Error(ErrorCode::NotFound, "no open transaction " + std::to_string(tx) + " on this connection");
  }
}

TransactionId Store::transaction_start(ConnectionId id) {
  Connection& conn = state(id);
  std::size_t& open = transactions_by_domain_[conn.domain];
  if (conn.domain != kPrivilegedDomain && open >= quotas_.transactions_per_domain) {
    throw Error(ErrorCode::NoSpace, "domain " + std::to_string(conn.domain) + " has " + std::to_string(open) +
                                        " open transactions, the quota");
  }
  // Ids count up per connection, skipping 0 ("no transaction") and ids still open.
  while (conn.next_transaction == 0 || conn.transactions.count(conn.next_transaction) != 0) ++conn.next_transaction;
  const TransactionId tx = conn.next_transaction++;
  const std::size_t max_nodes = conn.domain == kPrivilegedDomain ? 0 : quotas_.nodes_per_transaction;
  conn.transactions.emplace(tx, Transaction{std::make_unique<TransactionView>(tree_, max_nodes), {}, {}});
  ++open;
  return tx;
}

void Store::transaction_end(ConnectionId id, TransactionId tx, bool commit) {
  check_transaction(id, tx);
  if (tx == 0) throw Error(ErrorCode::NotFound, "TRANSACTION_END without a transaction id");
  Connection& conn = state(id);
  auto at = conn.transactions.find(tx);
  Transaction transaction = std::move(at->second);
  conn.transactions.erase(at);
  decrement(transactions_by_domain_, conn.domain, 1);
  if (!commit) return;

  transaction.view->validate();
  if (conn.domain != kPrivilegedDomain) {
    const std::size_t before = tree_.nodes_owned_by(conn.domain);
    const std::size_t after = transaction.view->nodes_owned_by(conn.domain);
    if (after > before && after > quotas_.nodes_per_domain) {
      throw Error(ErrorCode::NoSpace, "transaction " + std::to_string(tx) + " would leave domain " +
                                          std::to_string(conn.domain) + " owning " + std::to_string(after) +
                                          " nodes, over the quota of " + std::to_string(quotas_.nodes_per_domain));
    }
  }
  transaction.view->apply();
  fire_committed(transaction);
}

void Store::fire_committed(const Transaction& transaction) {
  for (const Fired& fired : transaction.fired) {
    Change change{fired.path, {}, {}, true, fired.exact};
    if (std::optional<Permissions> original = transaction.view->original_permissions(fired.path)) {
      change.readable_by.push_back(std::move(*original));
    }
    fire(change);
  }
}

// --- watches -------------------------------------------------------------------------------

WatchEvent Store::watch(ConnectionId id, std::string_view path, std::string_view token) {
  Connection& conn = state(id);
  const ResolvedPath resolved = resolve_watch_path(path, conn.domain);
  for (const Watch& w : conn.watches) {
    if (w.path == resolved.absolute && w.token == token) {
      throw Error(ErrorCode::Exists, "a watch on '" + resolved.absolute + "' with token '" + std::string(token) +
                                         "' is already registered");
    }
  }
  std::size_t& count = watches_by_domain_[conn.domain];
  if (conn.domain != kPrivilegedDomain && count >= quotas_.watches_per_domain) {
    throw Error(ErrorCode::TooBig,
                "domain " + std::to_string(conn.domain) + " holds " + std::to_string(count) + " watches, the quota");
  }
  Watch watch{resolved.absolute, std::string(token), resolved.relative ? home_prefix(conn.domain) : std::string()};
  WatchEvent first = watch.event_for(watch.path);
  conn.watches.push_back(std::move(watch));
  ++count;
  return first;
}

void Store::unwatch(ConnectionId id, std::string_view path, std::string_view token) {
  Connection& conn = state(id);
  ResolvedPath resolved;
  try {
    resolved = resolve_watch_path(path, conn.domain);
  } catch (const Error& invalid) {
    // No watch can have an invalid path: the C daemon answers "no such watch" too.
    throw Error(ErrorCode::NotFound, "no watch on '" + std::string(path) + "': " + invalid.what());
  }
  auto at = std::find_if(conn.watches.begin(), conn.watches.end(),
                         [&](const Watch& w) { return w.path == resolved.absolute && w.token == token; });
  if (at == conn.watches.end()) {
    throw Error(ErrorCode::NotFound, "no watch on '" + resolved.absolute + "' with token '" + std::string(token) + "'");
  }
  conn.watches.erase(at);
  decrement(watches_by_domain_, conn.domain, 1);
}

void Store::reset_watches(ConnectionId id) {
  Connection& conn = state(id);
  decrement(watches_by_domain_, conn.domain, conn.watches.size());
  conn.watches.clear();
  drop_transactions(conn);
}

std::size_t Store::watch_count(ConnectionId id) const { return state(id).watches.size(); }

std::size_t Store::transaction_count(ConnectionId id) const { return state(id).transactions.size(); }

std::vector<std::string> Store::consistency_problems() const {
  std::vector<std::string> problems = tree_.consistency_problems();
  std::unordered_map<DomainId, std::size_t> watches;
  std::unordered_map<DomainId, std::size_t> transactions;
  std::unordered_map<DomainId, std::size_t> held;
  std::unordered_map<DomainId, std::size_t> queued;
  for (const auto& [id, conn] : connections_) {
    if (!conn.watches.empty()) watches[conn.domain] += conn.watches.size();
    if (!conn.transactions.empty()) transactions[conn.domain] += conn.transactions.size();
    if (conn.held() != 0) held[conn.domain] += conn.held();
    queued[conn.domain] += conn.events.bytes();
    if (conn.events.size() > quotas_.event_queue.max_events || conn.events.bytes() > quotas_.event_queue.max_bytes) {
      problems.push_back("connection " + std::to_string(id) + " holds " + std::to_string(conn.events.size()) +
                         " events of " + std::to_string(conn.events.bytes()) + " bytes, over its bounds");
    }
  }
  // Events never pass the domain's budget (output may, by a reply: the server stops reading).
  for (const auto& [domid, bytes] : queued) {
    if (bytes > quotas_.event_queue.max_domain_bytes) {
      problems.push_back("domain " + std::to_string(domid) + " has " + std::to_string(bytes) +
                         " bytes of events waiting, over its bound");
    }
  }
  // A domain whose count dropped to 0 may keep an entry; compare what is counted.
  auto counted = [](std::unordered_map<DomainId, std::size_t> counts) {
    std::erase_if(counts, [](const auto& entry) { return entry.second == 0; });
    return counts;
  };
  if (watches != counted(watches_by_domain_)) {
    problems.push_back("the per-domain watch counts do not match the connections");
  }
  if (held != counted(held_by_domain_)) problems.push_back("the per-domain byte counts do not match the connections");
  if (transactions != counted(transactions_by_domain_)) {
    problems.push_back("the per-domain transaction counts do not match the connections");
  }
  return problems;
}

// --- event delivery ------------------------------------------------------------------------

bool Store::may_see(const Requester& who, const std::string& path, const std::vector<Permissions>& readable_by,
                    const Permissions* parent, bool committed) const {
  if (is_special_path(path)) return who.privileged();
  auto readable = [&](const Permissions& permissions) { return allows(access_for(who, permissions), Access::Read); };
  if (std::any_of(readable_by.begin(), readable_by.end(), readable)) return true;
  if (committed) {
    // At commit the C daemon looks the node up as committed; a node now gone ends the check,
    // for domain 0 too (it is then absent before and after: nothing to report).
    const Node* node = tree_.lookup(path);
    if (node == nullptr) return false;
    if (readable(node->permissions)) return true;
  }
  if (who.privileged()) return true;
  if (parent != nullptr) return readable(*parent);
  if (path == "/") return false;
  const Node* current = tree_.lookup(parent_path(path));
  return current != nullptr && readable(current->permissions);
}

void Store::add_held(DomainId domid, std::size_t bytes) {
  if (bytes == 0) return;
  const std::size_t now = held_by_domain_[domid] += bytes;
  std::size_t& peak = peak_by_domain_[domid];
  peak = std::max(peak, now);
}

void Store::remove_held(DomainId domid, std::size_t bytes) { decrement(held_by_domain_, domid, bytes); }

std::size_t Store::room_for(const Connection& conn) const {
  const EventQueueLimits& limits = quotas_.event_queue;
  const std::size_t domain = domain_held_bytes(conn.domain);
  const std::size_t own_room = conn.held() < limits.max_bytes ? limits.max_bytes - conn.held() : 0;
  const std::size_t domain_room = domain < limits.max_domain_bytes ? limits.max_domain_bytes - domain : 0;
  return std::min(own_room, domain_room);
}

void Store::deliver(ConnectionId id, Connection& conn, WatchEvent event) {
  const std::size_t before = conn.events.bytes();
  const bool stored = conn.events.push(std::move(event), room_for(conn));
  add_held(conn.domain, conn.events.bytes() - before);
  if (stored) {
    if (!conn.notified) notified_.push_back(id);
    conn.notified = true;
    return;
  }
  if (!conn.overflowed) overflowed_.push_back(id);
  conn.overflowed = true;
}

void Store::fire(const Change& change) {
  for (auto& [id, conn] : connections_) {
    if (conn.overflowed || conn.watches.empty()) continue;
    const Requester who = requester_of(conn);
    for (const RemovedNode& removed : change.removed) {
      for (const Watch& w : conn.watches) {
        if (w.path == removed.path &&
            may_see(who, removed.path, {removed.permissions}, &removed.parent_permissions, change.committed)) {
          deliver(id, conn, w.event_for(removed.path));
        }
      }
    }
    for (const Watch& w : conn.watches) {
      const bool matches = change.exact ? w.path == change.path : w.covers(change.path);
      if (matches && may_see(who, change.path, change.readable_by, nullptr, change.committed)) {
        deliver(id, conn, w.event_for(change.path));
      }
    }
  }
}

const EventQueue& Store::events(ConnectionId id) const { return state(id).events; }

std::optional<WatchEvent> Store::take_event(ConnectionId id) {
  Connection& conn = state(id);
  std::optional<WatchEvent> event = conn.events.pop();
  if (event) remove_held(conn.domain, held_size(*event));
  return event;
}

void Store::set_output_bytes(ConnectionId id, std::size_t bytes) {
  Connection& conn = state(id);
  remove_held(conn.domain, conn.output_bytes);
  conn.output_bytes = bytes;
  add_held(conn.domain, bytes);
}

std::size_t Store::held_bytes(ConnectionId id) const { return state(id).held(); }

std::size_t Store::domain_held_bytes(DomainId domid) const {
  auto at = held_by_domain_.find(domid);
  return at == held_by_domain_.end() ? 0 : at->second;
}

std::size_t Store::domain_peak_bytes(DomainId domid) const {
  auto at = peak_by_domain_.find(domid);
  return at == peak_by_domain_.end() ? 0 : at->second;
}

std::string Store::memory_report() const {
  std::string out;
  for (const auto& [domid, peak] : peak_by_domain_) {
    out += "domain " + std::to_string(domid) + ": " + std::to_string(domain_held_bytes(domid)) + " bytes held, peak " +
           std::to_string(peak) + "\n";
  }
  return out;
}

std::vector<ConnectionId> Store::take_notified() {
  std::vector<ConnectionId> out;
  out.swap(notified_);
  for (ConnectionId id : out) {
    auto at = connections_.find(id);
    if (at != connections_.end()) at->second.notified = false;
  }
  return out;
}

std::vector<ConnectionId> Store::take_overflowed() {
  std::vector<ConnectionId> out;
  out.swap(overflowed_);
  return out;
}

// --- domains -------------------------------------------------------------------------------

void Store::introduce(ConnectionId id, DomainId domid) {
  require_privileged(state(id), "INTRODUCE");
  if (!introduced_.insert(domid).second) return;
  fire(Change{std::string(kIntroduceDomainPath), {}, {}});
}

void Store::release(ConnectionId id, DomainId domid) {
  require_privileged(state(id), "RELEASE");
  if (domid == kPrivilegedDomain) throw Error(ErrorCode::Invalid, "RELEASE: domain 0 cannot be released");
  if (introduced_.erase(domid) == 0) {
    throw Error(ErrorCode::NotFound, "RELEASE: domain " + std::to_string(domid) + " is not introduced");
  }
  targets_.erase(domid);
  fire(Change{std::string(kReleaseDomainPath), {}, {}});
}

void Store::resume(ConnectionId id, DomainId domid) {
  require_privileged(state(id), "RESUME");
  if (!is_introduced(domid)) {
    throw Error(ErrorCode::NotFound, "RESUME: domain " + std::to_string(domid) + " is not introduced");
  }
}

void Store::set_target(ConnectionId id, DomainId domid, DomainId target) {
  require_privileged(state(id), "SET_TARGET");
  for (DomainId d : {domid, target}) {
    if (!is_introduced(d))
      throw Error(ErrorCode::NotFound, "SET_TARGET: domain " + std::to_string(d) + " is not introduced");
  }
  targets_[domid] = target;
}

}  // namespace vgen::store
