#include <vgen/shm/region.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <limits>
#include <utility>

#include "system_error.hpp"

namespace vgen::shm {
namespace {

std::size_t page_size() {
  const long page = ::sysconf(_SC_PAGESIZE);
  return page > 0 ? static_cast<std::size_t>(page) : 4096;
}

// Closes `fd` unless released; keeps the error paths below free of manual cleanup.
class FdGuard {
 public:
  explicit FdGuard(int fd) noexcept : fd_(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Largest size a file offset can describe; ftruncate and fstat speak off_t.
constexpr std::uint64_t kMaxFileSize = static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());

std::byte* map_shared(int fd, std::size_t size, const std::string& what) {
  void* data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) detail::throw_system(what + ": mmap of " + std::to_string(size) + " bytes failed", errno);
  return static_cast<std::byte*>(data);
}

// A peer holding the same memfd could shrink it under our mapping, and the next access
// past the new end would raise SIGBUS in this process. The shrink seal applies to the file
// itself, so once it is set (by whichever side) no holder of the fd can shrink it.
void seal_against_shrinking(int fd, const std::string& what) {
  const int seals = ::fcntl(fd, F_GET_SEALS);
  if (seals < 0) {
    const int error = errno;
    if (error == EINVAL) {
      throw Error(ErrorCode::Invalid,
                  what + ": fd " + std::to_string(fd) + " is not a memfd, so it cannot be sealed against shrinking");
    }
    detail::throw_system(what + ": fcntl(F_GET_SEALS) on fd " + std::to_string(fd) + " failed", error);
  }
  if ((seals & F_SEAL_SHRINK) != 0) return;
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
    const int error = errno;
    if (error == EPERM) {
      throw Error(ErrorCode::Invalid, what + ": fd " + std::to_string(fd) +
                                          " does not allow sealing, so a peer could shrink it under the mapping");
    }
    detail::throw_system(what + ": fcntl(F_ADD_SEALS, F_SEAL_SHRINK) on fd " + std::to_string(fd) + " failed", error);
  }
}

}  // namespace

Region Region::create(const std::string& name, std::size_t size) {
  const std::string what = "shm region '" + name + "'";
  if (size == 0) throw Error(ErrorCode::Invalid, what + ": size is 0");
  const std::size_t page = page_size();
  if (size > kMaxFileSize - (page - 1)) {
    throw Error(ErrorCode::Invalid, what + ": size " + std::to_string(size) + " is larger than a file can be");
  }
  const std::size_t rounded = (size + page - 1) / page * page;

  FdGuard fd(::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (fd.get() < 0) detail::throw_system(what + ": memfd_create failed", errno);
  if (::ftruncate(fd.get(), static_cast<off_t>(rounded)) != 0) {
    detail::throw_system(what + ": ftruncate to " + std::to_string(rounded) + " bytes failed", errno);
  }
  if (::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
    detail::throw_system(what + ": fcntl(F_ADD_SEALS, F_SEAL_SHRINK) failed", errno);
  }
  std::byte* data = map_shared(fd.get(), rounded, what);
  return Region(fd.release(), data, rounded);
}

// Ownership of `fd` passes to this call whatever happens: on failure the fd is closed, so
// a caller handing over received fds never has to track which ones were consumed.
Region Region::map(int fd, std::size_t size) {
  const std::string what = "shm region from fd " + std::to_string(fd);
  if (fd < 0) throw Error(ErrorCode::Invalid, what + ": not a valid file descriptor");
  FdGuard guard(fd);
  if (size == 0) throw Error(ErrorCode::Invalid, what + ": size is 0");
  // Seal first, then measure: after the seal the size can only grow, so the check below
  // stays true for the lifetime of the mapping.
  seal_against_shrinking(fd, what);
  struct stat info {};
  if (::fstat(fd, &info) != 0) detail::throw_system(what + ": fstat failed", errno);
  if (info.st_size < 0 || static_cast<std::uint64_t>(info.st_size) < size) {
    throw Error(ErrorCode::Invalid, what + ": file has " + std::to_string(info.st_size) + " bytes, fewer than the " +
                                        std::to_string(size) + " to map");
  }
  std::byte* data = map_shared(fd, size, what);
  return Region(guard.release(), data, size);
}

Region::Region(Region&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

Region& Region::operator=(Region&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

Region::~Region() { release(); }

void Region::release() noexcept {
  if (data_ != nullptr) ::munmap(data_, size_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  data_ = nullptr;
  size_ = 0;
}

}  // namespace vgen::shm
