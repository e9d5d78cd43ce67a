// Wire format of a region table (all fields little-endian), always sent as one fixed-size
// message so it travels intact over SOCK_STREAM and SOCK_SEQPACKET sockets alike:
//
//   offset 0   u32 magic   "VGSM" (0x4d534756)
//   offset 4   u16 version 1
//   offset 6   u16 count   number of regions, at most kMaxFdsPerMessage
//   offset 8   kMaxFdsPerMessage entries of { u64 base; u64 size; }; entries at index >= count are zero
//
// The memfd of entry i is the i-th fd attached to the message.
#include <vgen/shm/sharing.hpp>

#include <unistd.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include <vgen/format.hpp>
#include <vgen/shm/fd_passing.hpp>

namespace vgen::shm {
namespace {

constexpr std::uint32_t kMagic = 0x4d534756;  // the bytes "VGSM"
constexpr std::uint16_t kVersion = 1;
constexpr std::size_t kHeaderSize = 8;
constexpr std::size_t kEntrySize = 16;
constexpr std::size_t kMessageSize = kHeaderSize + kMaxFdsPerMessage * kEntrySize;

using Message = std::array<std::byte, kMessageSize>;

void put_le(Message& message, std::size_t offset, std::uint64_t value, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) message[offset + i] = static_cast<std::byte>(value >> (8 * i));
}

std::uint64_t get_le(const std::vector<std::byte>& bytes, std::size_t offset, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value |= std::to_integer<std::uint64_t>(bytes[offset + i]) << (8 * i);
  return value;
}

// The received fds not yet handed to a Region; whatever is left is closed on destruction,
// so every error path of receive_memory() leaks nothing.
class PendingFds {
 public:
  explicit PendingFds(std::vector<int> fds) noexcept : fds_(std::move(fds)) {}
  PendingFds(const PendingFds&) = delete;
  PendingFds& operator=(const PendingFds&) = delete;
  ~PendingFds() {
    for (std::size_t i = next_; i < fds_.size(); ++i) ::close(fds_[i]);
  }
  std::size_t size() const noexcept { return fds_.size(); }
  /// Hands the next fd to the caller, who now owns it.
  int take() noexcept { return fds_[next_++]; }

 private:
  std::vector<int> fds_;
  std::size_t next_ = 0;
};

struct Entry {
  GuestAddress base;
  std::uint64_t size;
};

Entry entry_at(const std::vector<std::byte>& bytes, std::size_t index) {
  const std::size_t offset = kHeaderSize + index * kEntrySize;
  return Entry{get_le(bytes, offset, 8), get_le(bytes, offset + 8, 8)};
}

// Checks the header and every entry before anything is mapped.
std::size_t validate(const std::vector<std::byte>& bytes, std::size_t fd_count) {
  const std::uint64_t magic = get_le(bytes, 0, 4);
  if (magic != kMagic) {
    throw Error(ErrorCode::Invalid, "receive_memory: magic is " + hex(magic) + ", expected " + hex(kMagic));
  }
  const std::uint64_t version = get_le(bytes, 4, 2);
  if (version != kVersion) {
    throw Error(ErrorCode::Invalid,
                "receive_memory: version is " + std::to_string(version) + ", expected " + std::to_string(kVersion));
  }
  const std::uint64_t count = get_le(bytes, 6, 2);
  if (count > kMaxFdsPerMessage) {
    throw Error(ErrorCode::Invalid, "receive_memory: count " + std::to_string(count) + " exceeds the limit of " +
                                        std::to_string(kMaxFdsPerMessage));
  }
  if (count != fd_count) {
    throw Error(ErrorCode::Invalid, "receive_memory: count is " + std::to_string(count) + " but " +
                                        std::to_string(fd_count) + " fds came with the message");
  }
  for (std::size_t i = 0; i < kMaxFdsPerMessage; ++i) {
    const Entry entry = entry_at(bytes, i);
    if (i >= count) {
      if (entry.base != 0 || entry.size != 0) {
        throw Error(ErrorCode::Invalid, "receive_memory: unused entry " + std::to_string(i) + " is not zero (base " +
                                            hex(entry.base) + ", size " + hex(entry.size) + ")");
      }
    } else if (entry.size == 0) {
      throw Error(ErrorCode::Invalid,
                  "receive_memory: entry " + std::to_string(i) + " at base " + hex(entry.base) + " has size 0");
    } else if (entry.size > std::numeric_limits<std::size_t>::max()) {
      throw Error(ErrorCode::Invalid, "receive_memory: entry " + std::to_string(i) + " size " + hex(entry.size) +
                                          " does not fit this address space");
    }
  }
  return static_cast<std::size_t>(count);
}

}  // namespace

void send_memory(int socket, const GuestMemory& memory) {
  const std::span<const MemoryRegion> regions = memory.regions();
  if (regions.size() > kMaxFdsPerMessage) {
    throw Error(ErrorCode::Invalid, "send_memory: " + std::to_string(regions.size()) + " regions exceed the limit of " +
                                        std::to_string(kMaxFdsPerMessage));
  }
  Message message{};
  std::vector<int> fds;
  put_le(message, 0, kMagic, 4);
  put_le(message, 4, kVersion, 2);
  put_le(message, 6, regions.size(), 2);
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const MemoryRegion& region = regions[i];
    if (!region.owner) {
      throw Error(ErrorCode::Invalid, "send_memory: region at " + hex(region.base) +
                                          " is borrowed memory without an fd and cannot be shared");
    }
    put_le(message, kHeaderSize + i * kEntrySize, region.base, 8);
    put_le(message, kHeaderSize + i * kEntrySize + 8, region.size, 8);
    fds.push_back(region.owner->fd());
  }
  send_with_fds(socket, message, fds);
}

GuestMemory receive_memory(int socket) {
  ReceivedMessage received = receive_with_fds(socket, kMessageSize);
  PendingFds fds(std::move(received.fds));
  const std::size_t count = validate(received.bytes, fds.size());
  GuestMemory memory;
  for (std::size_t i = 0; i < count; ++i) {
    const Entry entry = entry_at(received.bytes, i);
    // Region::map owns the fd from here on, also when it throws.
    auto region = std::make_shared<Region>(Region::map(fds.take(), static_cast<std::size_t>(entry.size)));
    memory.add(entry.base, std::move(region));
  }
  return memory;
}

}  // namespace vgen::shm
