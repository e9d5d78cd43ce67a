// Store connections with a flaw.
#include "flawed_client.hpp"

#include <map>
#include <vector>

namespace vgen::conform_targets {
namespace {

bool ends_with(std::string_view path, std::string_view leaf) {
  return path.size() > leaf.size() && path.substr(path.size() - leaf.size()) == leaf &&
         path[path.size() - leaf.size() - 1] == '/';
}

// A ring's grant node: ring-ref, or ring-ref0..N of a ring of several pages (blkif.h).
bool is_ring_ref(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  std::string_view leaf = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
  while (!leaf.empty() && leaf.back() >= '0' && leaf.back() <= '9') leaf.remove_suffix(1);
  return leaf == "ring-ref";
}

class FlawedClient final : public store::Client {
 public:
  FlawedClient(ClientFlaw flaw, store::Client& inner) : flaw_(flaw), inner_(inner) {}

  store::DomainId domain() const noexcept override { return inner_.domain(); }
  std::string read(std::string_view path, store::TransactionId tx) override;
  void write(std::string_view path, std::string_view value, store::TransactionId tx) override;
  void mkdir(std::string_view path, store::TransactionId tx) override { inner_.mkdir(path, tx); }
  void remove(std::string_view path, store::TransactionId tx) override { inner_.remove(path, tx); }
  std::vector<std::string> directory(std::string_view path, store::TransactionId tx) override {
    return inner_.directory(path, tx);
  }
  store::Permissions get_permissions(std::string_view path, store::TransactionId tx) override {
    return inner_.get_permissions(path, tx);
  }
  void set_permissions(std::string_view path, const store::Permissions& p, store::TransactionId tx) override {
    inner_.set_permissions(path, p, tx);
  }
  void watch(std::string_view path, std::string_view token, store::WatchCallback callback) override {
    inner_.watch(path, token, std::move(callback));
  }
  void unwatch(std::string_view path, std::string_view token) override { inner_.unwatch(path, token); }
  store::TransactionId transaction_start() override { return inner_.transaction_start(); }
  void transaction_end(store::TransactionId tx, bool commit) override;

 private:
  ClientFlaw flaw_;
  store::Client& inner_;
  std::map<std::string, std::string> postponed_;  // nodes written after the commit
  std::map<store::TransactionId, std::vector<std::pair<std::string, std::string>>>
      held_;                                       // a transaction's nodes, until its end
  std::map<store::TransactionId, bool> connects_;  // the transaction writes Connected
  bool closed_ = false;                            // the half wrote Closed
};

std::string FlawedClient::read(std::string_view path, store::TransactionId tx) {
  try {
    return inner_.read(path, tx);
  } catch (const store::ClientError& error) {
    // A backend gone with its directory (ENOENT, or EACCES from a parent it may not read)
    // still looks Connected.
    if (flaw_ == ClientFlaw::FrontendTrustsVanishedBackend && ends_with(path, "state") &&
        (error.code() == store::ErrorCode::NotFound || error.code() == store::ErrorCode::Access))
      return "4";
    throw;
  }
}

void FlawedClient::write(std::string_view path, std::string_view value, store::TransactionId tx) {
  const bool state = ends_with(path, "state");
  switch (flaw_) {
    case ClientFlaw::FrontendRingAfterInitialised:
      if (is_ring_ref(path) || ends_with(path, "event-channel")) {
        postponed_[std::string(path)] = std::string(value);
        return;
      }
      break;
    case ClientFlaw::BackendSkipsInitWait:
      if (state && value == "2") return;
      break;
    case ClientFlaw::FrontendConnectsEarly:
      if (state && value == "3") value = "4";
      break;
    case ClientFlaw::BackendIgnoresClosing:
      if (state && value == "5") return;
      break;
    case ClientFlaw::BackendPaddedState:
      if (state) return inner_.write(path, std::string(value) + " ", tx);
      break;
    case ClientFlaw::FrontendIgnoresClosing:
      if (state && (value == "5" || value == "6")) return;
      break;
    case ClientFlaw::FrontendSplitsDetails:
      if (is_ring_ref(path) && tx != store::kNoTransaction) return inner_.write(path, value, store::kNoTransaction);
      break;
    case ClientFlaw::BackendInfoAfterConnected:
      if (tx != store::kNoTransaction) {
        if (state && value == "4") connects_[tx] = true;
        if (!state) {
          held_[tx].emplace_back(std::string(path), std::string(value));
          return;
        }
      }
      break;
    case ClientFlaw::BackendIgnoresReconfiguring:
      if (state && value == "8") return;
      break;
    case ClientFlaw::FrontendStaysClosed:
      if (state && value == "6") closed_ = true;
      if (state && value == "3" && closed_) return;
      break;
    default:
      break;
  }
  inner_.write(path, value, tx);
}

void FlawedClient::transaction_end(store::TransactionId tx, bool commit) {
  auto held = std::move(held_[tx]);
  const bool connects = connects_[tx];
  held_.erase(tx);
  connects_.erase(tx);
  if (!connects) {
    for (const auto& [path, value] : held) inner_.write(path, value, tx);
  }
  inner_.transaction_end(tx, commit);
  if (!commit) {
    postponed_.clear();
    return;
  }
  if (connects) {
    for (const auto& [path, value] : held) inner_.write(path, value);
  }
  for (const auto& [path, value] : postponed_) inner_.write(path, value);
  postponed_.clear();
}

}  // namespace

std::unique_ptr<store::Client> flawed_client(ClientFlaw flaw, store::Client& inner) {
  if (flaw != ClientFlaw::FrontendHidesRing) return std::make_unique<FlawedClient>(flaw, inner);
  // Hiding the ring: the ring-ref node is given permissions that only its owner may read.
  class Hiding final : public store::Client {
   public:
    explicit Hiding(store::Client& inner) : inner_(inner) {}
    store::DomainId domain() const noexcept override { return inner_.domain(); }
    std::string read(std::string_view p, store::TransactionId tx) override { return inner_.read(p, tx); }
    void write(std::string_view p, std::string_view v, store::TransactionId tx) override {
      inner_.write(p, v, tx);
      if (is_ring_ref(p)) inner_.set_permissions(p, {{inner_.domain(), store::Access::None}}, tx);
    }
    void mkdir(std::string_view p, store::TransactionId tx) override { inner_.mkdir(p, tx); }
    void remove(std::string_view p, store::TransactionId tx) override { inner_.remove(p, tx); }
    std::vector<std::string> directory(std::string_view p, store::TransactionId tx) override {
      return inner_.directory(p, tx);
    }
    store::Permissions get_permissions(std::string_view p, store::TransactionId tx) override {
      return inner_.get_permissions(p, tx);
    }
    void set_permissions(std::string_view p, const store::Permissions& q, store::TransactionId tx) override {
      inner_.set_permissions(p, q, tx);
    }
    void watch(std::string_view p, std::string_view t, store::WatchCallback c) override {
      inner_.watch(p, t, std::move(c));
    }
    void unwatch(std::string_view p, std::string_view t) override { inner_.unwatch(p, t); }
    store::TransactionId transaction_start() override { return inner_.transaction_start(); }
    void transaction_end(store::TransactionId tx, bool commit) override { inner_.transaction_end(tx, commit); }

   private:
    store::Client& inner_;
  };
  return std::make_unique<Hiding>(inner);
}

conform::SplitTarget flawed_split_target(conform::SplitTarget target, const std::string& name, ClientFlaw flaw) {
  target.name = name;
  auto wrap = [flaw](store::Client& inner) { return flawed_client(flaw, inner); };
  const bool frontend = flaw == ClientFlaw::FrontendRingAfterInitialised || flaw == ClientFlaw::FrontendConnectsEarly ||
                        flaw == ClientFlaw::FrontendHidesRing || flaw == ClientFlaw::FrontendIgnoresClosing ||
                        flaw == ClientFlaw::FrontendSplitsDetails ||
                        flaw == ClientFlaw::FrontendTrustsVanishedBackend || flaw == ClientFlaw::FrontendStaysClosed;
  if (frontend)
    target.wrap_frontend_client = wrap;
  else
    target.wrap_backend_client = wrap;
  return target;
}

}  // namespace vgen::conform_targets
