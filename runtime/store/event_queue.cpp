#include <vgen/store/event_queue.hpp>

namespace vgen::store {

bool EventQueue::push(WatchEvent event) {
  const std::size_t size = event.path.size() + event.token.size();
  if (overflowed_ || events_.size() >= limits_.max_events || bytes_ + size > limits_.max_bytes) {
    overflowed_ = true;
    return false;
  }
  bytes_ += size;
  events_.push_back(std::move(event));
  return true;
}

std::optional<WatchEvent> EventQueue::pop() {
  if (events_.empty()) return std::nullopt;
  WatchEvent event = std::move(events_.front());
  events_.pop_front();
  bytes_ -= event.path.size() + event.token.size();
  return event;
}

}  // namespace vgen::store
