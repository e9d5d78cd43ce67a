// A shared-memory region backed by a memfd, mappable by another process from its fd.
#pragma once

#include <cstddef>
#include <string>

namespace vgen::shm {

/// An mmap'ed memfd. Owns both the mapping and the fd; move-only.
/// The creating process calls create(); a peer that received the fd (see fd_passing.hpp)
/// calls map() on it and sees the same bytes at its own virtual address.
class Region {
 public:
  /// Creates a zero-filled memfd of `size` bytes (rounded up to the page size) and maps it.
  /// `name` shows in /proc/<pid>/fd for debugging. Throws shm::Error.
  static Region create(const std::string& name, std::size_t size);
  /// Maps `size` bytes of an fd received from a peer; takes ownership of `fd`.
  /// Fails if the file is smaller than `size`. Throws shm::Error.
  static Region map(int fd, std::size_t size);

  Region(Region&& other) noexcept;
  Region& operator=(Region&& other) noexcept;
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  ~Region();

  /// First byte of the mapping in this process.
  std::byte* data() const noexcept { return data_; }
  /// Size of the mapping in bytes.
  std::size_t size() const noexcept { return size_; }
  /// The memfd, for passing to a peer; stays owned by this Region.
  int fd() const noexcept { return fd_; }

 private:
  Region(int fd, std::byte* data, std::size_t size) noexcept : fd_(fd), data_(data), size_(size) {}
  void release() noexcept;

  int fd_ = -1;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace vgen::shm
