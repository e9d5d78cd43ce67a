// A transaction's private view of the tree.
//
// Isolation (the C XenStore daemon's model): the first time a transaction touches a node
// (reads it, lists it, writes it, or finds it absent) it takes a private copy and remembers
// the node's generation; from then on it sees only its copy, so repeated reads agree and
// its writes stay invisible to others. At commit, every node it touched must still have the
// remembered generation (or still be absent); otherwise the commit fails with EAGAIN and
// nothing is applied. Conflicts are therefore per node: a concurrent change to a node the
// transaction never touched does not abort it, and a committed transaction is equivalent to
// running all its operations at the instant of commit.
//
// Because copies are taken one node at a time, the view may mix moments: a parent copied
// before another connection added a child, and that child copied after. Operations that
// find such a contradiction (editor.hpp) mark the view inconsistent and answer as the C
// daemon does; the transaction then fails with EAGAIN at commit even if the generation
// checks alone would not catch it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <vgen/store/node.hpp>
#include <vgen/store/tree.hpp>

namespace vgen::store {

/// The overlay one open transaction works on.
class TransactionView final : public NodeView {
 public:
  /// `max_nodes` bounds how many distinct nodes the transaction may touch (0 = unlimited);
  /// touching one more throws store::Error(NoSpace).
  TransactionView(Tree& tree, std::size_t max_nodes);

  /// The transaction's copy of the node (taken from the tree on first access), or nullptr.
  const Node* find(const std::string& path) override;
  /// Replaces the transaction's copy; the tree is untouched until apply().
  void put(const std::string& path, Node node) override;
  /// Marks the node absent in the transaction.
  void erase(const std::string& path) override;
  /// Nodes `domid` would own if the transaction committed now: the tree's count plus what
  /// the transaction added and removed. In an inconsistent view this is an estimate (never
  /// below 0); such a transaction cannot commit anyway.
  std::size_t nodes_owned_by(DomainId domid) const override;
  /// Remembers the first contradiction found; validate() then fails.
  void mark_inconsistent(const std::string& why) override;
  /// True once an operation found the view contradicting itself.
  bool inconsistent() const noexcept { return !inconsistency_.empty(); }

  /// Throws store::Error(Again) if the view was found inconsistent, or naming the first
  /// touched node that changed in the tree.
  void validate() const;
  /// Writes every node this transaction modified into the tree. Call after validate().
  void apply();
  /// Number of distinct nodes touched so far.
  std::size_t touched() const noexcept { return entries_.size(); }
  /// The permissions the node had when the transaction first touched it; nullopt if it was
  /// absent then or never touched. The watch rules at commit use them (change.hpp).
  std::optional<Permissions> original_permissions(const std::string& path) const;

 private:
  struct Entry {
    std::optional<Node> node;             ///< the transaction's copy; nullopt = absent
    std::optional<std::uint64_t> base;    ///< tree generation at first touch; nullopt = absent
    std::optional<Permissions> original;  ///< permissions at first touch; nullopt = absent
    bool dirty = false;                   ///< modified by the transaction
  };
  Entry& touch(const std::string& path);
  void count(const std::optional<Node>& node, long delta);

  Tree& tree_;
  std::size_t max_nodes_;
  std::unordered_map<std::string, Entry> entries_;
  std::vector<std::string> order_;  ///< touch order, so commit is deterministic
  std::unordered_map<DomainId, long> owned_delta_;
  std::string inconsistency_;  ///< first contradiction found; empty if none
};

}  // namespace vgen::store
