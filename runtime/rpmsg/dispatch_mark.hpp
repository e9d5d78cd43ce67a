// Internal to runtime/rpmsg: which bus's poll() runs on this thread. A sender inside a
// callback runs on the thread that consumes the incoming notifier, so it may wait on the
// notifier itself instead of for another thread to wake it.
#pragma once

namespace vgen::rpmsg {
class Bus;
}

namespace vgen::rpmsg::detail {

/// The bus dispatching on this thread, or null.
extern thread_local const Bus* dispatching_bus;

/// Marks this thread as dispatching for a bus while alive; nests.
class DispatchMark {
 public:
  explicit DispatchMark(const Bus* bus) noexcept : previous_(dispatching_bus) { dispatching_bus = bus; }
  ~DispatchMark() { dispatching_bus = previous_; }
  DispatchMark(const DispatchMark&) = delete;
  DispatchMark& operator=(const DispatchMark&) = delete;

 private:
  const Bus* previous_;
};

}  // namespace vgen::rpmsg::detail
