#include <vgen/store/event_queue.hpp>

#include <functional>

#include <vgen/store/wire.hpp>

namespace vgen::store {

std::size_t EventQueue::KeyHash::operator()(const Key& key) const noexcept {
  const std::hash<std::string_view> hash;
  return hash(key.path) * 31 + hash(key.token);
}

std::size_t held_size(const WatchEvent& event) noexcept {
  return kHeaderSize + event.path.size() + 1 + event.token.size() + 1 + kHeldOverhead;
}

bool EventQueue::push(WatchEvent event, std::size_t room) {
  const bool special = !event.path.empty() && event.path.front() == '@';
  if (!overflowed_ && !special && waiting_.count(Key{event.path, event.token}) != 0) return true;
  const std::size_t size = held_size(event);
  if (overflowed_ || events_.size() >= max_events_ || size > room) {
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
  bytes_ -= held_size(event);
  return event;
}

}  // namespace vgen::store
