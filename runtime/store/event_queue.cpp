#include <vgen/store/event_queue.hpp>

#include <functional>

namespace vgen::store {

std::size_t EventQueue::KeyHash::operator()(const Key& key) const noexcept {
  const std::hash<std::string_view> hash;
  return hash(key.path) * 31 + hash(key.token);
}

bool EventQueue::push(WatchEvent event) {
  const bool special = !event.path.empty() && event.path.front() == '@';
  if (!overflowed_ && !special && waiting_.count(Key{event.path, event.token}) != 0) return true;
  const std::size_t size = event.path.size() + event.token.size();
  if (overflowed_ || events_.size() >= limits_.max_events || bytes_ + size > limits_.max_bytes) {
    overflowed_ = true;
    return false;
  }
  bytes_ += size;
  const WatchEvent& stored = events_.emplace_back(std::move(event));
  if (!special) waiting_.insert(Key{stored.path, stored.token});
  return true;
}

std::optional<WatchEvent> EventQueue::pop() {
  if (events_.empty()) return std::nullopt;
  waiting_.erase(Key{events_.front().path, events_.front().token});
  WatchEvent event = std::move(events_.front());
  events_.pop_front();
  bytes_ -= event.path.size() + event.token.size();
  return event;
}

}  // namespace vgen::store
