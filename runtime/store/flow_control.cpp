#include <vgen/store/flow_control.hpp>

namespace vgen::store {

void FlowControl::hold(ConnectionId producer, ConnectionId watcher, Clock::time_point now) {
  auto [holder, added] = holders_.try_emplace(watcher);
  if (added) holder->second.progress = now;
  holder->second.producers.insert(producer);
  waiting_on_[producer].insert(watcher);
}

void FlowControl::progressed(ConnectionId watcher, Clock::time_point now) {
  auto holder = holders_.find(watcher);
  if (holder != holders_.end()) holder->second.progress = now;
}

std::vector<ConnectionId> FlowControl::release(ConnectionId watcher) {
  std::vector<ConnectionId> resumed;
  auto holder = holders_.find(watcher);
  if (holder == holders_.end()) return resumed;
  for (ConnectionId producer : holder->second.producers) {
    auto waiting = waiting_on_.find(producer);
    if (waiting == waiting_on_.end()) continue;
    waiting->second.erase(watcher);
    if (waiting->second.empty()) {
      waiting_on_.erase(waiting);
      resumed.push_back(producer);
    }
  }
  holders_.erase(holder);
  return resumed;
}

std::vector<ConnectionId> FlowControl::forget(ConnectionId id) {
  std::vector<ConnectionId> resumed = release(id);
  auto waiting = waiting_on_.find(id);
  if (waiting != waiting_on_.end()) {
    for (ConnectionId watcher : waiting->second) {
      auto holder = holders_.find(watcher);
      if (holder == holders_.end()) continue;
      holder->second.producers.erase(id);
      if (holder->second.producers.empty()) holders_.erase(holder);
    }
    waiting_on_.erase(waiting);
  }
  return resumed;
}

std::vector<ConnectionId> FlowControl::stalled(Clock::time_point now) const {
  std::vector<ConnectionId> out;
  for (const auto& [watcher, holder] : holders_) {
    if (now - holder.progress >= stall_timeout_) out.push_back(watcher);
  }
  return out;
}

std::optional<FlowControl::Clock::duration> FlowControl::next_stall(Clock::time_point now) const {
  std::optional<Clock::duration> next;
  for (const auto& [watcher, holder] : holders_) {
    const Clock::duration left = holder.progress + stall_timeout_ - now;
    if (!next || left < *next) next = left;
  }
  if (next && *next < Clock::duration::zero()) next = Clock::duration::zero();
  return next;
}

}  // namespace vgen::store
