// Logging a half's writes.
#include "recording_client.hpp"

namespace vgen::conform::xenbus_checks {

void WriteLog::commit(const std::function<void()>& take_effect, std::vector<LoggedWrite> writes) {
  std::lock_guard order(order_);
  take_effect();
  std::lock_guard lock(mutex_);
  ++commits_;
  for (LoggedWrite& w : writes) {
    w.commit = commits_;
    writes_.push_back(std::move(w));
  }
  grew_.notify_all();
}

std::size_t WriteLog::size() const {
  std::lock_guard lock(mutex_);
  return writes_.size();
}

bool WriteLog::wait_for(const std::function<bool(const std::vector<LoggedWrite>&)>& done,
                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return grew_.wait_for(lock, timeout, [&] { return done(writes_); });
}

std::vector<LoggedWrite> WriteLog::writes() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

void RecordingClient::write(std::string_view path, std::string_view value, store::TransactionId tx) {
  LoggedWrite w{frontend_, std::string(path), std::string(value), 0};
  if (tx == store::kNoTransaction) {
    log_.commit([&] { inner_.write(path, value, tx); }, {std::move(w)});
    return;
  }
  inner_.write(path, value, tx);
  std::lock_guard lock(mutex_);
  open_[tx].push_back(std::move(w));
}

store::TransactionId RecordingClient::transaction_start() {
  const store::TransactionId tx = inner_.transaction_start();
  std::lock_guard lock(mutex_);
  open_[tx].clear();
  return tx;
}

void RecordingClient::transaction_end(store::TransactionId tx, bool commit) {
  std::vector<LoggedWrite> writes;
  {
    std::lock_guard lock(mutex_);
    writes = std::move(open_[tx]);
    open_.erase(tx);
  }
  if (!commit || writes.empty()) return inner_.transaction_end(tx, commit);
  log_.commit([&] { inner_.transaction_end(tx, commit); }, std::move(writes));  // a conflict throws: nothing logged
}

}  // namespace vgen::conform::xenbus_checks
