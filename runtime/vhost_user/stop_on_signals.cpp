#include <vgen/vhost_user/stop_on_signals.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include <vgen/vhost_user/backend.hpp>
#include <vgen/vhost_user/error.hpp>

namespace vgen::vhost_user {
namespace {

// The back end the handlers stop; lock-free atomics are safe to use in a signal handler.
std::atomic<Backend*> target{nullptr};
std::atomic<int> last_signal{0};
static_assert(std::atomic<Backend*>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

extern "C" void stop_target(int signal) {
  last_signal.store(signal);
  if (Backend* backend = target.load()) backend->stop();
}

void install(int signal, struct sigaction& previous) {
  struct sigaction action {};
  action.sa_handler = stop_target;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (::sigaction(signal, &action, &previous) != 0) {
    throw Error(ErrorCode::System, std::string("sigaction(") + ::strsignal(signal) + "): " + std::strerror(errno));
  }
}

}  // namespace

StopOnSignals::StopOnSignals(Backend& backend) {
  Backend* expected = nullptr;
  if (!target.compare_exchange_strong(expected, &backend)) {
    throw Error(ErrorCode::OutOfOrder, "SIGTERM and SIGINT already stop another vhost-user back end");
  }
  last_signal.store(0);
  try {
    install(SIGTERM, previous_term_);
  } catch (...) {
    target.store(nullptr);
    throw;
  }
  try {
    install(SIGINT, previous_int_);
  } catch (...) {
    ::sigaction(SIGTERM, &previous_term_, nullptr);
    target.store(nullptr);
    throw;
  }
}

StopOnSignals::~StopOnSignals() {
  ::sigaction(SIGINT, &previous_int_, nullptr);
  ::sigaction(SIGTERM, &previous_term_, nullptr);
  target.store(nullptr);
}

int StopOnSignals::received() const noexcept { return last_signal.load(); }

}  // namespace vgen::vhost_user
