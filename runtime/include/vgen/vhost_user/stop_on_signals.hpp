// A device program's clean shutdown: while a StopOnSignals lives, SIGTERM and SIGINT make a
// Backend's run() return (Backend::stop(), which is safe in a signal handler), so the program
// can report what it served and remove its socket instead of dying mid-request.
//
//   vgen::vhost_user::Backend backend(model, path, options);
//   vgen::vhost_user::StopOnSignals stop(backend);
//   backend.run();                      // returns on SIGTERM or SIGINT
#pragma once

#include <csignal>

namespace vgen::vhost_user {

class Backend;

/// Routes SIGTERM and SIGINT to one Backend's stop() for as long as it lives; the handlers
/// found at construction are restored when it is destroyed. One per process at a time.
class StopOnSignals {
 public:
  /// Installs the handlers for `backend`, which must outlive this object. Throws
  /// Error(OutOfOrder) while another StopOnSignals lives, Error(System) when sigaction fails.
  explicit StopOnSignals(Backend& backend);
  /// Restores the previous handlers.
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  /// The signal that stopped the back end (SIGTERM or SIGINT), or 0 when none came.
  int received() const noexcept;

 private:
  struct sigaction previous_term_ {};
  struct sigaction previous_int_ {};
};

}  // namespace vgen::vhost_user
