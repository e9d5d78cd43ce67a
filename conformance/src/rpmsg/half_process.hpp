// An rpmsg half under test in a process of its own. The harness makes the shared memory and
// the event channels (eventfds) first, then forks: the child runs the half over its side of
// the vrings, the harness keeps the other side, so every message crosses between two
// processes over shared memory alone, as between a host and a remote processor. What the
// harness reads of the half (its bus's counters, whether it stopped with an error, whether its
// demo completed) crosses in a page of shared memory beside the rings.
#pragma once

#include <sys/types.h>
#include <atomic>
#include <functional>
#include <string>

#include <vgen/rpmsg/statistics.hpp>
#include <vgen/shm/region.hpp>

namespace vgen::conform::rpmsg_checks {

/// What the child shares with the harness.
class HalfReport {
 public:
  /// The child publishes its bus's counters (a sequence lock: the harness never reads a torn copy).
  void publish(const rpmsg::Statistics& statistics) noexcept;
  /// The child stopped with `what`.
  void fail(const std::string& what) noexcept;
  /// The child's demo ended, complete or not.
  void finish(bool complete) noexcept;
  /// True once the harness asked the child to stop.
  bool stopping() const noexcept { return stop_.load(); }

 private:
  friend class HalfProcess;
  std::atomic<std::uint64_t> sequence_{0};  // odd while the child writes
  std::atomic<std::uint64_t> published_{0};
  rpmsg::Statistics statistics_{};
  std::atomic<bool> stop_{false}, done_{false}, complete_{false}, failed_{false};
  char error_[256] = {};
};

/// The forked half.
class HalfProcess {
 public:
  /// Forks; the child runs `body` with the shared report and then exits.
  explicit HalfProcess(std::function<void(HalfReport&)> body);
  /// Asks the child to stop, waits for it a while, kills it if it does not, reaps it.
  ~HalfProcess();
  HalfProcess(const HalfProcess&) = delete;
  HalfProcess& operator=(const HalfProcess&) = delete;

  /// The child's counters as of a publication made after this call (waits up to a second for
  /// it), so counts of what the child did before the call are in.
  rpmsg::Statistics statistics() const;
  /// Why the child stopped with an error ("" if it did not; "exited ..." if it died).
  std::string error() const;
  /// The demo ended (host), and completed.
  bool done() const noexcept { return report().done_.load(); }
  bool complete() const noexcept { return report().complete_.load(); }

 private:
  HalfReport& report() const noexcept { return *reinterpret_cast<HalfReport*>(page_.data()); }
  shm::Region page_;
  pid_t child_ = -1;
};

}  // namespace vgen::conform::rpmsg_checks
