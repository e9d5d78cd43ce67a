// The store connection of a real half, as the harness hands it over: every write that reaches
// the store is logged with the half it came from and the moment it took effect (a write in a
// transaction at its commit, with the rest of that transaction), so fast state changes that a
// watcher would miss are all seen, in order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <vgen/store/client.hpp>

namespace vgen::conform::xenbus_checks {

/// One write that took effect.
struct LoggedWrite {
  bool frontend = false;     ///< written by the frontend (else the backend)
  std::string path;          ///< absolute path
  std::string value;         ///< the value written
  std::uint64_t commit = 0;  ///< writes that took effect together share this number
};

/// The writes of both halves, in the order they took effect. Thread-safe.
class WriteLog {
 public:
  /// Runs `take_effect` (the store operation that makes `writes` visible) and appends the
  /// writes as one group, with no other group taking effect in between: the log's order is
  /// the store's.
  void commit(const std::function<void()>& take_effect, std::vector<LoggedWrite> writes);
  /// Everything so far.
  std::vector<LoggedWrite> writes() const;
  /// How many writes so far.
  std::size_t size() const;
  /// Waits up to `timeout` until `done` holds for the writes so far; true if it came to hold.
  bool wait_for(const std::function<bool(const std::vector<LoggedWrite>&)>& done,
                std::chrono::milliseconds timeout) const;

 private:
  std::mutex order_;  // held while a group takes effect and is appended
  mutable std::mutex mutex_;
  mutable std::condition_variable grew_;
  std::vector<LoggedWrite> writes_;
  std::uint64_t commits_ = 0;
};

/// Forwards every operation to `inner` and logs the writes into `log`.
class RecordingClient final : public store::Client {
 public:
  RecordingClient(store::Client& inner, WriteLog& log, bool frontend) : inner_(inner), log_(log), frontend_(frontend) {}

  store::DomainId domain() const noexcept override { return inner_.domain(); }
  std::string read(std::string_view path, store::TransactionId tx) override { return inner_.read(path, tx); }
  void write(std::string_view path, std::string_view value, store::TransactionId tx) override;
  void mkdir(std::string_view path, store::TransactionId tx) override { inner_.mkdir(path, tx); }
  void remove(std::string_view path, store::TransactionId tx) override { inner_.remove(path, tx); }
  std::vector<std::string> directory(std::string_view path, store::TransactionId tx) override {
    return inner_.directory(path, tx);
  }
  store::Permissions get_permissions(std::string_view path, store::TransactionId tx) override {
    return inner_.get_permissions(path, tx);
  }
  void set_permissions(std::string_view path, const store::Permissions& permissions, store::TransactionId tx) override {
    inner_.set_permissions(path, permissions, tx);
  }
  void watch(std::string_view path, std::string_view token, store::WatchCallback callback) override {
    inner_.watch(path, token, std::move(callback));
  }
  void unwatch(std::string_view path, std::string_view token) override { inner_.unwatch(path, token); }
  store::TransactionId transaction_start() override;
  void transaction_end(store::TransactionId tx, bool commit) override;

 private:
  store::Client& inner_;
  WriteLog& log_;
  bool frontend_;
  std::mutex mutex_;
  std::map<store::TransactionId, std::vector<LoggedWrite>> open_;
};

}  // namespace vgen::conform::xenbus_checks
