#include <vgen/notify/polling.hpp>

namespace vgen::notify {

void PollingNotifier::signal() { count_signal(); }

// The receiver of a polling notifier never sleeps: it is told to go and look every time.
bool PollingNotifier::wait(std::chrono::nanoseconds /*timeout*/) { return true; }

}  // namespace vgen::notify
