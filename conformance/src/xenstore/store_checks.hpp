// The checks of a XenStore daemon (xs_wire.h, Xen's xenstore protocol description), played
// from domain-0 socket connections: faithful requests judged by their replies and watch
// events, and hostile ones (broken framing, oversized payloads) after which the daemon must
// still serve other connections.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <vgen/conform/check.hpp>
#include <vgen/conform/verdict.hpp>

#include "store_connection.hpp"

namespace vgen::conform::xenstore_checks {

/// What a check works with: the daemon's socket and a path of its own to work under.
class StoreSession {
 public:
  StoreSession(std::string socket, std::string base) : socket_(std::move(socket)), base_(std::move(base)) {}
  /// A new connection to the daemon.
  std::unique_ptr<StoreConnection> connect() const { return std::make_unique<StoreConnection>(socket_); }
  /// `base/leaf`: a path nobody else uses.
  std::string path(const std::string& leaf) const { return base_ + "/" + leaf; }
  const std::string& base() const noexcept { return base_; }

 private:
  std::string socket_;
  std::string base_;
};

/// One check of a daemon.
struct StoreCheck {
  CheckInfo info;
  std::function<Verdict(StoreSession&)> run;
};

/// Every XenStore check, faithful then hostile.
const std::vector<StoreCheck>& store_checks();

}  // namespace vgen::conform::xenstore_checks
