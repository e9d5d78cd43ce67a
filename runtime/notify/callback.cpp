#include <vgen/notify/callback.hpp>

#include <utility>

namespace vgen::notify {

CallbackNotifier::CallbackNotifier(std::function<void()> callback) : callback_(std::move(callback)) {
  if (!callback_) throw Error("callback notifier: the callback is empty");
}

void CallbackNotifier::signal() {
  callback_();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = true;
  }
  ready_.notify_one();
  count_signal();
}

bool CallbackNotifier::wait(std::chrono::nanoseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!ready_.wait_for(lock, timeout, [this] { return pending_; })) return false;
  pending_ = false;
  return true;
}

}  // namespace vgen::notify
