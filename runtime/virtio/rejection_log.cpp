#include <vgen/virtio/rejection_log.hpp>

#include <utility>

namespace vgen::virtio {

void RejectionLog::record(const std::string& message) {
  std::function<void(const std::string&)> handler;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++count_;
    recent_.push_back(message);
    if (recent_.size() > kKept) recent_.pop_front();
    handler = handler_;
  }
  if (handler) handler(message);
}

std::uint64_t RejectionLog::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return count_;
}

std::vector<std::string> RejectionLog::recent() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {recent_.begin(), recent_.end()};
}

std::string RejectionLog::last() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return recent_.empty() ? std::string() : recent_.back();
}

void RejectionLog::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  count_ = 0;
  recent_.clear();
}

void RejectionLog::set_handler(std::function<void(const std::string&)> handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  handler_ = std::move(handler);
}

}  // namespace vgen::virtio
