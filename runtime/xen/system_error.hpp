// Internal to runtime/xen: turning a failed system call into xen::Error(System), and an
// owner for raw fds on error paths.
#pragma once

#include <unistd.h>

#include <string>
#include <system_error>
#include <utility>

#include <vgen/xen/error.hpp>

namespace vgen::xen::detail {

/// Throws xen::Error(System) whose message is `what` followed by the text of `error`
/// (an errno value captured right after the failing call).
[[noreturn]] inline void throw_system(const std::string& what, int error) {
  throw Error(ErrorCode::System, what + ": " + std::error_code(error, std::system_category()).message());
}

/// Closes an fd unless released; keeps error paths free of manual cleanup.
class FdOwner {
 public:
  explicit FdOwner(int fd = -1) noexcept : fd_(fd) {}
  FdOwner(FdOwner&& other) noexcept : fd_(other.release()) {}
  FdOwner& operator=(FdOwner&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  FdOwner(const FdOwner&) = delete;
  FdOwner& operator=(const FdOwner&) = delete;
  ~FdOwner() { reset(); }

  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

}  // namespace vgen::xen::detail
