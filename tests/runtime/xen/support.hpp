// Helpers shared by the Xen-style runtime tests: child processes, socket pairs, fd counts,
// and the request/response contract the blkif tests follow on both sides.
#pragma once

#include <dirent.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <vgen/xen/blkif.hpp>

namespace vgen::xen::test {

/// A connected pair of Unix sockets of `type`; both ends close on destruction unless taken.
class SocketPair {
 public:
  explicit SocketPair(int type = SOCK_SEQPACKET) {
    if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds_) != 0) throw std::runtime_error("socketpair failed");
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
  ~SocketPair() {
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }
  int first() const { return fds_[0]; }
  int second() const { return fds_[1]; }
  /// Hands over one end (the pair no longer closes it).
  int take_first() { return std::exchange(fds_[0], -1); }
  int take_second() { return std::exchange(fds_[1], -1); }
  /// Closes one end now.
  void close_first() { ::close(std::exchange(fds_[0], -1)); }
  void close_second() { ::close(std::exchange(fds_[1], -1)); }

 private:
  int fds_[2] = {-1, -1};
};

/// Runs `body` in a forked child and returns its exit code (or 128 + signal). The child
/// never returns into the test framework: it _exit()s with body's result, or 99 after
/// printing an escaped exception.
inline int run_in_child(const std::function<int()>& body, const std::function<void()>& parent = {}) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int code = 99;
    try {
      code = body();
    } catch (const std::exception& error) {
      std::fprintf(stderr, "child: %s\n", error.what());
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  if (parent) parent();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 255;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

/// Number of open fds of this process.
inline int open_fd_count() {
  int count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the directory stream's own fd
}

/// The /proc/self/maps line of the mapping holding `address`: {start, end, permissions}.
struct MapsEntry {
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;
  std::string permissions;
};
inline MapsEntry maps_entry(const void* address) {
  const auto wanted = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range;
    MapsEntry entry;
    fields >> range >> entry.permissions;
    const std::size_t dash = range.find('-');
    entry.start = std::stoull(range.substr(0, dash), nullptr, 16);
    entry.end = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (wanted >= entry.start && wanted < entry.end) return entry;
  }
  return {};
}

/// The blkif contract of the interop tests, vgen's copy (the Xen-macro peer has its own).
inline blkif::Request expected_request(std::uint64_t id) {
  blkif::Request request;
  request.operation = id % 2 == 0 ? blkif::kOpRead : blkif::kOpWrite;
  request.segment_count = static_cast<std::uint8_t>(1 + id % blkif::kMaxSegmentsPerRequest);
  request.handle = static_cast<std::uint16_t>(id * 3);
  request.id = id;
  request.sector = id * 8 + 5;
  for (std::size_t s = 0; s < blkif::kMaxSegmentsPerRequest; ++s) {
    request.segments[s].gref = static_cast<GrantRef>(id * 16 + s);
    request.segments[s].first_sector = static_cast<std::uint8_t>(s % 8);
    request.segments[s].last_sector = 7;
  }
  return request;
}

inline std::int16_t expected_status(std::uint64_t id) {
  return id % 3 == 0 ? blkif::kStatusOkay : id % 3 == 1 ? blkif::kStatusError : blkif::kStatusNotSupported;
}

/// Empty when `got` is what expected_request(id) describes, else what differs.
inline std::string request_mismatch(std::uint64_t id, const blkif::Request& got) {
  const blkif::Request want = expected_request(id);
  std::ostringstream out;
  if (got.id != want.id || got.operation != want.operation || got.segment_count != want.segment_count ||
      got.handle != want.handle || got.sector != want.sector) {
    out << "request " << id << ": id " << got.id << " op " << int{got.operation} << " segments "
        << int{got.segment_count} << " handle " << got.handle << " sector " << got.sector;
    return out.str();
  }
  for (std::size_t s = 0; s < got.segment_count; ++s) {
    const blkif::Segment& g = got.segments[s];
    const blkif::Segment& w = want.segments[s];
    if (g.gref != w.gref || g.first_sector != w.first_sector || g.last_sector != w.last_sector) {
      out << "request " << id << " segment " << s << ": gref " << g.gref << " first " << int{g.first_sector}
          << " last " << int{g.last_sector};
      return out.str();
    }
  }
  return {};
}

}  // namespace vgen::xen::test
