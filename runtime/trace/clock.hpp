// The recorder's clock: a cheap tick count read on the hot path (the time-stamp counter on
// x86-64, CLOCK_MONOTONIC elsewhere) and its conversion to nanoseconds since the epoch,
// calibrated by the writer thread against the system clocks. The counter is the same in
// every process of the machine, so ticks from a forked child convert like the parent's.
#pragma once

#include <time.h>

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace vgen::trace::detail {

/// The current tick count.
inline std::uint64_t now_ticks() noexcept {
#if defined(__x86_64__)
  return __rdtsc();
#else
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000u + static_cast<std::uint64_t>(now.tv_nsec);
#endif
}

/// Nanoseconds of `clock` now.
inline std::int64_t clock_ns(clockid_t clock) noexcept {
  timespec now;
  clock_gettime(clock, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

/// Converts ticks to nanoseconds since the epoch: a line through the first pair of (ticks,
/// monotonic ns) and the latest, shifted by the realtime clock's offset at the start.
class Calibration {
 public:
  Calibration() noexcept { restart(); }
  /// Takes the first point now.
  void restart() noexcept {
    ticks0_ = now_ticks();
    mono0_ = clock_ns(CLOCK_MONOTONIC);
    epoch_offset_ = clock_ns(CLOCK_REALTIME) - mono0_;
    ns_per_tick_ = default_slope();
  }
  /// Takes another point now and refines the slope (once enough time passed for precision).
  void update() noexcept {
    const std::uint64_t ticks = now_ticks();
    const std::int64_t mono = clock_ns(CLOCK_MONOTONIC);
    if (mono - mono0_ > 1000000 && ticks > ticks0_) {
      ns_per_tick_ = static_cast<double>(mono - mono0_) / static_cast<double>(ticks - ticks0_);
    }
  }
  /// The ticks in `ns` nanoseconds.
  std::uint64_t ticks_in_ns(std::uint64_t ns) const noexcept {
    return static_cast<std::uint64_t>(static_cast<double>(ns) / ns_per_tick_);
  }
  /// Nanoseconds since the epoch at `ticks`.
  std::uint64_t to_epoch_ns(std::uint64_t ticks) const noexcept {
    const double delta = (static_cast<double>(static_cast<std::int64_t>(ticks - ticks0_))) * ns_per_tick_;
    return static_cast<std::uint64_t>(mono0_ + epoch_offset_ + static_cast<std::int64_t>(delta));
  }

 private:
  static double default_slope() noexcept {
#if defined(__x86_64__)
    // Measured over a short sleep so the first records convert sensibly before update().
    const std::uint64_t t0 = now_ticks();
    const std::int64_t m0 = clock_ns(CLOCK_MONOTONIC);
    timespec pause{0, 2000000};
    nanosleep(&pause, nullptr);
    const std::uint64_t t1 = now_ticks();
    const std::int64_t m1 = clock_ns(CLOCK_MONOTONIC);
    return t1 > t0 ? static_cast<double>(m1 - m0) / static_cast<double>(t1 - t0) : 1.0;
#else
    return 1.0;
#endif
  }

  std::uint64_t ticks0_ = 0;
  std::int64_t mono0_ = 0;
  std::int64_t epoch_offset_ = 0;
  double ns_per_tick_ = 1.0;
};

}  // namespace vgen::trace::detail
