#include <vgen/store/watch_dispatcher.hpp>

namespace vgen::store {

WatchDispatcher::WatchDispatcher() : thread_([this] { run(); }) {}

WatchDispatcher::~WatchDispatcher() { stop(); }

void WatchDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    events_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t WatchDispatcher::failed_callbacks() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

void WatchDispatcher::add(const std::string& path, const std::string& token, WatchCallback callback) {
  std::lock_guard lock(mutex_);
  if (!callbacks_.emplace(token, std::move(callback)).second) {
    throw ClientError("WATCH", path, "EEXIST", "token '" + token + "' is already registered by this client");
  }
}

void WatchDispatcher::remove(const std::string& token) {
  std::unique_lock lock(mutex_);
  callbacks_.erase(token);
  if (std::this_thread::get_id() == thread_.get_id()) return;
  finished_.wait(lock, [&] { return !running_ || running_token_ != token; });
}

void WatchDispatcher::post(std::string path, std::string token) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    events_.push_back(Event{std::move(path), std::move(token)});
  }
  wake_.notify_one();
}

std::size_t WatchDispatcher::pending() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

void WatchDispatcher::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !events_.empty(); });
    if (stopping_) return;
    Event event = std::move(events_.front());
    events_.pop_front();
    auto found = callbacks_.find(event.token);
    if (found == callbacks_.end()) continue;
    // A copy: the callback may unwatch (erase itself) while it runs.
    WatchCallback callback = found->second;
    running_ = true;
    running_token_ = event.token;
    lock.unlock();
    bool failed = false;
    try {
      callback(event.path, event.token);
    } catch (...) {
      failed = true;  // counted, and delivery to the other watches goes on
    }
    lock.lock();
    if (failed) ++failed_;
    running_ = false;
    running_token_.clear();
    finished_.notify_all();
  }
}

}  // namespace vgen::store
