#include <vgen/notify/eventfd.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

#include "system_error.hpp"

namespace vgen::notify {
namespace {

using Clock = std::chrono::steady_clock;

// What /proc/self/fd/N links to for an eventfd.
constexpr std::string_view kEventfdLink = "anon_inode:[eventfd]";

// Throws (after closing `fd`) unless `fd` is an open eventfd.
void check_adopted(int fd) {
  const std::string what = "eventfd notifier: fd " + std::to_string(fd);
  if (fd < 0) throw Error(what + " is not a valid file descriptor");
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) detail::throw_system(what + " cannot be adopted", errno);
  // The kind of file shows in the /proc link; without /proc mounted the check is skipped.
  char link[64] = {};
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t length = ::readlink(path.c_str(), link, sizeof(link) - 1);
  if (length >= 0 && std::string_view(link, static_cast<std::size_t>(length)) != kEventfdLink) {
    ::close(fd);
    throw Error(what + " is '" + std::string(link, static_cast<std::size_t>(length)) + "', not an eventfd");
  }
  // wait() polls before reading, but a non-blocking fd guarantees a read that loses a race
  // with another reader returns EAGAIN instead of blocking.
  if ((flags & O_NONBLOCK) == 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    const int error = errno;
    ::close(fd);
    detail::throw_system(what + ": cannot make it non-blocking", error);
  }
}

// Milliseconds for poll(), rounded up so a short wait does not become a busy loop.
int poll_timeout(Clock::duration remaining) {
  const auto milliseconds = std::chrono::ceil<std::chrono::milliseconds>(remaining).count();
  return milliseconds > INT_MAX ? INT_MAX : static_cast<int>(milliseconds);
}

}  // namespace

EventfdNotifier::EventfdNotifier() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0) detail::throw_system("eventfd notifier: eventfd() failed", errno);
}

EventfdNotifier::EventfdNotifier(int fd) : fd_(fd) { check_adopted(fd); }

EventfdNotifier::~EventfdNotifier() { ::close(fd_); }

void EventfdNotifier::signal() {
  const std::uint64_t one = 1;
  while (::write(fd_, &one, sizeof(one)) < 0) {
    if (errno == EINTR) continue;
    // EAGAIN: the counter is at its maximum, so a signal is pending already.
    if (errno == EAGAIN) break;
    detail::throw_system("eventfd notifier: write to fd " + std::to_string(fd_) + " failed", errno);
  }
  count_signal();
}

bool EventfdNotifier::try_consume() {
  std::uint64_t count = 0;
  while (::read(fd_, &count, sizeof(count)) < 0) {
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return false;
    detail::throw_system("eventfd notifier: read from fd " + std::to_string(fd_) + " failed", errno);
  }
  return true;
}

bool EventfdNotifier::wait(std::chrono::nanoseconds timeout) {
  const Clock::time_point deadline = Clock::now() + std::max(timeout, std::chrono::nanoseconds::zero());
  while (true) {
    if (try_consume()) return true;
    const Clock::duration remaining = deadline - Clock::now();
    if (remaining <= Clock::duration::zero()) return false;
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, poll_timeout(remaining)) < 0 && errno != EINTR) {
      detail::throw_system("eventfd notifier: poll on fd " + std::to_string(fd_) + " failed", errno);
    }
  }
}

}  // namespace vgen::notify
