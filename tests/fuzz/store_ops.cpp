#include "store_ops.hpp"

#include <algorithm>
#include <vector>

#include <vgen/store/error.hpp>
#include <vgen/store/store.hpp>

namespace vgen::store::fuzz {
namespace {

/// The input as a stream of bytes, then, up to `total` bytes in all, bytes of a generator
/// seeded from the input (so a short input still drives a long sequence, the same one each
/// time); past that it reads zeros and says it is done.
class Bytes {
 public:
  Bytes(std::span<const std::uint8_t> data, std::size_t total) : data_(data), total_(std::max(total, data.size())) {
    for (std::uint8_t byte : data) state_ = (state_ ^ byte) * 0x100000001b3ULL;  // FNV-1a
  }
  std::uint8_t next() {
    if (at_ >= total_) return 0;
    if (at_ < data_.size()) return data_[at_++];
    ++at_;
    state_ ^= state_ << 13;  // xorshift64
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<std::uint8_t>(state_ >> 32);
  }
  /// A number in [0, n).
  std::size_t below(std::size_t n) { return n == 0 ? 0 : next() % n; }
  bool done() const { return at_ >= total_; }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t total_;
  std::size_t at_ = 0;
  std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

/// One connection slot: always the same domain, reconnected when closed.
struct Slot {
  DomainId domain = 0;
  ConnectionId id = 0;
  std::vector<TransactionId> open;  ///< ids this driver believes open
  std::vector<std::pair<std::string, std::string>> watches;
};

enum Kind : unsigned {
  kRead, kDirectory, kGetPerms, kWrite, kMkdir, kRemove, kSetPerms, kWatch, kUnwatch, kStart, kEnd,
  kResetWatches, kDrain, kReconnect, kIntroduce, kRelease, kSetTarget, kKinds
};

constexpr DomainId kGuests[] = {1, 2, 3};
constexpr DomainId kOtherDomain = 7;  // never connected: only named in permissions and domain calls

Quotas small_quotas() {
  Quotas q;
  q.nodes_per_domain = 24;
  q.watches_per_domain = 4;
  q.transactions_per_domain = 3;
  q.entry_size = 256;
  q.permissions_per_node = 4;
  q.nodes_per_transaction = 24;
  q.event_queue = EventQueueLimits{8, 1200, 3000};
  return q;
}

class Driver {
 public:
  explicit Driver(Bytes& in) : in_(in), store_(small_quotas()) {
    const ConnectionId setup = store_.connect(kPrivilegedDomain);
    for (DomainId guest : kGuests) {
      store_.write(setup, 0, domain_path(guest), "");
      store_.set_permissions(setup, 0, domain_path(guest), Permissions{{guest, Access::None}});
      store_.introduce(setup, guest);
    }
    store_.write(setup, 0, "/shared/a", "");
    store_.set_permissions(setup, 0, "/shared", Permissions{{0, Access::Read}, {2, Access::Both}});
    store_.set_target(setup, 3, 1);  // domain 3 acts with domain 1's rights too
    store_.disconnect(setup);
    for (DomainId domain : {DomainId{0}, DomainId{0}, DomainId{1}, DomainId{2}, DomainId{3}}) {
      Slot& slot = slots_.emplace_back();
      slot.domain = domain;
      connect(slot);
    }
  }

  OpsOutcome run(std::size_t max_operations) {
    while (!in_.done() && outcome_.operations < max_operations) {
      Slot& slot = slots_[in_.below(slots_.size())];
      const unsigned kind = next_kind();
      std::string what;
      try {
        what = apply(slot, kind);
      } catch (const Error& error) {
        ++outcome_.failed;
        what = error.what();
      }
      ++outcome_.operations;
      close_overflowed();
      const std::vector<std::string> problems = store_.consistency_problems();
      if (!problems.empty()) {
        outcome_.problem = "after operation " + std::to_string(outcome_.operations) + " (kind " +
                           std::to_string(kind) + " by domain " + std::to_string(slot.domain) + ": " + what +
                           "): " + problems.front();
        break;
      }
    }
    return outcome_;
  }

 private:
  // Node operations and watches often; what wipes a slot's watches and transactions rarely,
  // so that watches live long enough to fire and transactions long enough to conflict.
  unsigned next_kind() {
    static const unsigned weights[kKinds] = {
        /*read*/ 10, /*directory*/ 6, /*get_perms*/ 4, /*write*/ 16, /*mkdir*/ 6, /*rm*/ 10, /*set_perms*/ 6,
        /*watch*/ 8, /*unwatch*/ 2, /*start*/ 6, /*end*/ 6, /*reset_watches*/ 1, /*drain*/ 8,
        /*reconnect*/ 1, /*introduce*/ 1, /*release*/ 1, /*set_target*/ 1};
    unsigned total = 0;
    for (unsigned w : weights) total += w;
    unsigned pick = static_cast<unsigned>(in_.below(total));
    unsigned kind = 0;
    while (pick >= weights[kind]) pick -= weights[kind++];
    return kind;
  }

  void connect(Slot& slot) {
    slot.id = store_.connect(kPrivilegedDomain);
    if (slot.domain != kPrivilegedDomain) store_.set_domain(slot.id, slot.domain);
    slot.open.clear();
    slot.watches.clear();
  }

  void reconnect(Slot& slot) {
    store_.disconnect(slot.id);
    connect(slot);
  }

  void close_overflowed() {
    for (ConnectionId id : store_.take_overflowed()) {
      ++outcome_.overflows;
      for (Slot& slot : slots_) {
        if (slot.id == id) reconnect(slot);
      }
    }
  }

  // Paths: often one used lately, or its child or parent, so that operations of different
  // connections and transactions meet on the same nodes (a transaction's copy of a parent,
  // then a child created outside, then a removal inside); otherwise a fresh one.
  std::string path() {
    const unsigned choice = static_cast<unsigned>(in_.below(8));
    std::string out;
    if (choice < 3 && !recent_.empty()) {
      out = recent_[in_.below(recent_.size())];
    } else if (choice == 3 && !recent_.empty()) {
      out = recent_[in_.below(recent_.size())] + (in_.next() % 2 ? "/a" : "/b");
    } else if (choice == 4 && !recent_.empty()) {
      const std::string& base = recent_[in_.below(recent_.size())];
      const std::size_t slash = base.rfind('/');
      out = slash == std::string::npos || slash == 0 ? base : base.substr(0, slash);
    } else {
      out = fresh_path();
    }
    if (recent_.size() == 8) recent_.erase(recent_.begin());
    recent_.push_back(out);
    return out;
  }

  // A small universe (a few dozen paths); some relative, special, invalid or very long ones.
  std::string fresh_path() {
    static const char* const names[] = {"a", "b"};
    const unsigned shape = static_cast<unsigned>(in_.below(10));
    std::string base;
    switch (shape) {
      case 0: base = ""; break;                                                    // relative
      case 1: case 2: base = "/shared"; break;
      case 3: case 4: base = domain_path(kGuests[in_.below(3)]); break;
      case 5: base = "/x"; break;
      case 6: return in_.next() % 2 ? "@introduceDomain" : "@releaseDomain";
      case 7: {
        static const char* const invalid[] = {"/a//b", "/a/", "", "a b", "/\x01"};
        return invalid[in_.below(5)];
      }
      case 8: return in_.next() % 2 ? "/" : "/" + std::string(2040 + in_.below(20), 'l');
      default: base = "/shared/a"; break;
    }
    const std::size_t depth = in_.below(4);
    for (std::size_t i = 0; i < depth; ++i) base += (base.empty() ? "" : "/") + std::string(names[in_.below(2)]);
    return base.empty() ? "a" : base;
  }

  std::string value() {
    const std::uint8_t length = in_.next();
    if (length == 255) return std::string(kMaxValueSize + in_.below(2), 'v');
    std::string out;
    for (std::size_t i = 0; i < length % 48; ++i) out += static_cast<char>(in_.next());
    return out;
  }

  DomainId some_domain() {
    static const DomainId domains[] = {0, 1, 2, 3, kOtherDomain};
    return domains[in_.below(5)];
  }

  Permissions permissions() {
    static const Access letters[] = {Access::None, Access::Read, Access::Write, Access::Both};
    Permissions out(1 + in_.below(5));
    for (Permission& p : out) p = Permission{some_domain(), letters[in_.below(4)]};
    return out;
  }

  TransactionId transaction(Slot& slot) {
    const unsigned pick = in_.next();
    if (slot.open.empty() || pick % 3 == 0) return pick == 255 ? 4242 : 0;
    return slot.open[pick % slot.open.size()];
  }

  std::string apply(Slot& slot, unsigned kind) {
    const ConnectionId id = slot.id;
    switch (kind) {
      case kRead: store_.read(id, transaction(slot), path()); return "read";
      case kDirectory: store_.directory(id, transaction(slot), path()); return "directory";
      case kGetPerms: store_.get_permissions(id, transaction(slot), path()); return "get_perms";
      case kWrite: {
        const TransactionId tx = transaction(slot);
        const std::string at = path();
        store_.write(id, tx, at, value());
        return "write";
      }
      case kMkdir: store_.mkdir(id, transaction(slot), path()); return "mkdir";
      case kRemove: store_.remove(id, transaction(slot), path()); return "rm";
      case kSetPerms: {
        const TransactionId tx = transaction(slot);
        const std::string at = path();
        store_.set_permissions(id, tx, at, permissions());
        return "set_perms";
      }
      case kWatch: return watch(slot);
      case kUnwatch: return unwatch(slot);
      case kStart: slot.open.push_back(store_.transaction_start(id)); return "transaction_start";
      case kEnd: return end(slot);
      case kResetWatches:
        store_.reset_watches(id);
        slot.open.clear();
        slot.watches.clear();
        return "reset_watches";
      case kDrain: return drain(slot);
      case kReconnect: reconnect(slot); return "reconnect";
      case kIntroduce: store_.introduce(id, some_domain()); return "introduce";
      case kRelease: store_.release(id, in_.next() % 2 ? kOtherDomain : some_domain()); return "release";
      default: store_.set_target(id, some_domain(), some_domain()); return "set_target";
    }
  }

  std::string watch(Slot& slot) {
    std::string at = path();
    std::string token = in_.next() % 4 == 0 ? std::string(200, 't') : std::string(1, static_cast<char>('k' + in_.below(3)));
    store_.watch(slot.id, at, token);
    slot.watches.emplace_back(std::move(at), std::move(token));
    return "watch";
  }

  std::string unwatch(Slot& slot) {
    if (slot.watches.empty() || in_.next() % 4 == 0) {
      store_.unwatch(slot.id, path(), "k");
      return "unwatch";
    }
    const std::size_t which = in_.below(slot.watches.size());
    const auto [at, token] = slot.watches[which];
    slot.watches.erase(slot.watches.begin() + static_cast<std::ptrdiff_t>(which));
    store_.unwatch(slot.id, at, token);
    return "unwatch";
  }

  std::string end(Slot& slot) {
    const TransactionId tx = slot.open.empty() ? in_.next() : slot.open[in_.below(slot.open.size())];
    std::erase(slot.open, tx);
    const bool commit = in_.next() % 4 != 0;
    try {
      store_.transaction_end(slot.id, tx, commit);
      if (commit) ++outcome_.commits;
    } catch (const Error& error) {
      if (error.code() == ErrorCode::Again) ++outcome_.conflicts;
      throw;
    }
    return commit ? "commit" : "abort";
  }

  std::string drain(Slot& slot) {
    for (std::size_t n = in_.below(64); n > 0; --n) {
      if (!store_.take_event(slot.id)) break;
      ++outcome_.events;
    }
    store_.take_notified();
    return "drain";
  }

  Bytes& in_;
  Store store_;
  std::vector<Slot> slots_;
  std::vector<std::string> recent_;  ///< the last paths used, oldest first
  OpsOutcome outcome_;
};

}  // namespace

OpsOutcome run_store_ops(std::span<const std::uint8_t> input, std::size_t max_operations, std::size_t extend_to) {
  Bytes in(input, extend_to);
  Driver driver(in);
  return driver.run(max_operations);
}

}  // namespace vgen::store::fuzz
