// A vhost-user FRONT END for the tests, written from QEMU's docs/interop/vhost-user.rst and the
// kernel's <linux/vhost_types.h> / <linux/virtio_ring.h> alone: it shares no code with vgen's
// back end. It owns memfd guest memory, speaks the message protocol on a Unix socket and drives
// a split ring with the kernel's raw structs, the way QEMU and a guest driver do together.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raw_ring.h"

namespace vhost_test {

/// "A vring state description" and "A vring address description" of the protocol document.
struct VringState {
  std::uint32_t index;
  std::uint32_t num;
};
struct VringAddress {
  std::uint32_t index;
  std::uint32_t flags;
  std::uint64_t desc;
  std::uint64_t used;
  std::uint64_t avail;
  std::uint64_t log;
};

// Request ids ("Front-end message types").
enum : std::uint32_t {
  kGetFeatures = 1, kSetFeatures = 2, kSetOwner = 3, kResetOwner = 4, kSetMemTable = 5, kSetLogBase = 6,
  kSetVringNum = 8, kSetVringAddr = 9, kSetVringBase = 10, kGetVringBase = 11, kSetVringKick = 12,
  kSetVringCall = 13, kSetVringErr = 14, kGetProtocolFeatures = 15, kSetProtocolFeatures = 16, kGetQueueNum = 17,
  kSetVringEnable = 18, kSetBackendReqFd = 21, kGetConfig = 24, kSetConfig = 25, kResetDevice = 34,
  kGetMaxMemSlots = 36, kAddMemReg = 37, kRemMemReg = 38,
};
inline constexpr std::uint32_t kFlagsVersion1 = 0x1;
inline constexpr std::uint32_t kFlagReply = 0x4;
inline constexpr std::uint32_t kFlagNeedReply = 0x8;
inline constexpr unsigned kProtocolFeaturesBit = 30;

/// What the back end sent back.
struct Reply {
  std::uint32_t request = 0;
  std::uint32_t flags = 0;
  std::vector<std::uint8_t> payload;
  /// The payload as a u64 (0 when it is not 8 bytes).
  std::uint64_t u64() const;
};

/// A memfd of guest RAM: guest address `guest_base`, front-end user address `user_base`; the
/// region starts `mmap_offset` bytes into the file.
class GuestRam {
 public:
  GuestRam(std::size_t size, std::uint64_t guest_base, std::uint64_t user_base, std::uint64_t mmap_offset = 0);
  ~GuestRam();
  GuestRam(const GuestRam&) = delete;
  GuestRam& operator=(const GuestRam&) = delete;
  int fd() const { return fd_; }
  std::size_t size() const { return size_; }
  std::uint64_t guest_base() const { return guest_base_; }
  std::uint64_t user_base() const { return user_base_; }
  std::uint64_t mmap_offset() const { return mmap_offset_; }
  /// Host pointer of guest address `gpa`.
  std::uint8_t* at(std::uint64_t gpa) const { return data_ + mmap_offset_ + (gpa - guest_base_); }
  /// The user address of guest address `gpa`.
  std::uint64_t user(std::uint64_t gpa) const { return user_base_ + (gpa - guest_base_); }
  /// The 32-byte region description of the protocol.
  std::vector<std::uint8_t> region() const;

 private:
  int fd_ = -1;
  std::uint8_t* data_ = nullptr;
  std::size_t size_;
  std::uint64_t guest_base_, user_base_, mmap_offset_;
};

/// The driver side of one split ring in GuestRam, with <linux/virtio_ring.h>'s structs and
/// vring_init()'s layout (raw_ring.c); buffers come from a data area after the ring.
class RawRing {
 public:
  RawRing(GuestRam& ram, std::uint64_t ring_gpa, unsigned size, std::uint64_t data_gpa);
  ~RawRing();
  RawRing(const RawRing&) = delete;
  RawRing& operator=(const RawRing&) = delete;
  unsigned size() const { return size_; }
  /// Descriptor table, avail and used ring guest addresses.
  std::uint64_t desc_gpa() const { return ring_gpa_; }
  std::uint64_t avail_gpa() const;
  std::uint64_t used_gpa() const;
  /// Adds a chain of one readable buffer holding `out` (if non-empty) and one writable buffer
  /// of `in_size` bytes (if non-zero), indirect when asked; publishes it. Returns the head.
  std::uint16_t add(const std::vector<std::uint8_t>& out, std::uint32_t in_size, bool indirect = false);
  /// Writes a raw descriptor (for hostile rings).
  void put_descriptor(unsigned index, std::uint64_t addr, std::uint32_t len, std::uint16_t flags, std::uint16_t next);
  /// Makes `head` available (avail ring entry, then idx with release ordering).
  void publish(std::uint16_t head);
  /// Sets avail->idx directly.
  void set_avail_idx(std::uint16_t idx);
  /// Sets VRING_AVAIL_F_NO_INTERRUPT and used_event.
  void set_used_event(std::uint16_t event);
  /// Used entries not consumed yet.
  unsigned pending_used() const;
  /// Next used element: head, length, and the bytes the device wrote.
  struct Used {
    std::uint16_t head;
    std::uint32_t length;
    std::vector<std::uint8_t> bytes;
  };
  Used pop_used();
  std::uint16_t used_idx() const;
  std::uint16_t avail_idx() const;

 private:
  GuestRam& ram_;
  std::uint64_t ring_gpa_;
  unsigned size_;
  raw_ring* ring_ = nullptr;
  std::uint64_t next_data_;
  std::uint64_t data_start_;
  std::uint16_t next_free_ = 0;
  std::uint16_t last_used_ = 0;
  std::vector<std::uint64_t> in_buffer_;  // per head: guest address of the writable buffer
};

/// One connection to a back end.
class FrontEnd {
 public:
  /// Connects to `socket_path`, retrying for up to 5 s while the back end starts.
  explicit FrontEnd(const std::string& socket_path);
  ~FrontEnd();
  FrontEnd(const FrontEnd&) = delete;
  FrontEnd& operator=(const FrontEnd&) = delete;

  /// Sends a header and payload with `fds` attached.
  void send(std::uint32_t request, const void* payload, std::size_t size, const std::vector<int>& fds = {},
            std::uint32_t flags = kFlagsVersion1);
  /// Sends bytes as they are (hostile framing).
  void send_raw(const void* bytes, std::size_t size, const std::vector<int>& fds = {});
  /// The next reply, or nullopt when the back end closed the connection or sent nothing in time.
  std::optional<Reply> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// True when the back end closes the connection within `timeout` (anything it sends first is
  /// discarded).
  bool closed_by_back_end(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Typed requests; each checks a reply arrived when one is due.
  std::uint64_t get_u64(std::uint32_t request);
  void set_u64(std::uint32_t request, std::uint64_t value, bool need_reply = false);
  void set_state(std::uint32_t request, unsigned index, unsigned num, bool need_reply = false);
  VringState get_vring_base(unsigned index);
  void set_vring_addr(unsigned index, std::uint64_t desc, std::uint64_t used, std::uint64_t avail);
  void set_vring_fd(std::uint32_t request, unsigned index, int fd);
  void set_mem_table(const std::vector<const GuestRam*>& regions, bool need_reply);
  void add_mem_reg(const GuestRam& ram, bool need_reply);
  void rem_mem_reg(const GuestRam& ram);
  std::vector<std::uint8_t> get_config(std::uint32_t offset, std::uint32_t size);
  /// The REPLY_ACK status of a need-reply request (nullopt: no reply).
  std::optional<std::uint64_t> ack();

  int socket() const { return socket_; }

 private:
  int socket_ = -1;
};

/// An eventfd pair end: kick (front end signals) or call (back end signals).
class EventFd {
 public:
  EventFd();
  ~EventFd();
  EventFd(const EventFd&) = delete;
  EventFd& operator=(const EventFd&) = delete;
  int fd() const { return fd_; }
  void signal();
  /// True when signalled within `timeout` (consumes the count).
  bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  int fd_;
};

/// The rings, memory and fds of one device session set up in QEMU's order (see the
/// reference: GET_FEATURES, GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM,
/// GET_MAX_MEM_SLOTS, SET_OWNER, GET_FEATURES, SET_VRING_CALL, SET_VRING_ERR, then at driver
/// start SET_FEATURES, SET_MEM_TABLE/ADD_MEM_REG, SET_VRING_NUM, _BASE, _ADDR, _KICK,
/// _ENABLE 1, SET_VRING_CALL).
struct SessionSetup {
  std::uint64_t features = 0;           ///< virtio features to set (bit 30 is added)
  std::uint64_t protocol_features = 0;  ///< 0: everything offered
  bool memory_slots = false;            ///< ADD_MEM_REG instead of SET_MEM_TABLE
  unsigned ring_size = 64;
  std::uint16_t base = 0;
};

/// What a test holds for a running ring 0.
struct Session {
  Session(const std::string& socket_path, const SessionSetup& setup);
  /// Handshake up to SET_OWNER and the first SET_VRING_CALL/ERR.
  void connect();
  /// Driver start: features, memory, ring 0 (size, base, addresses, kick, enable).
  void start();
  /// Driver stop: SET_VRING_ENABLE 0, GET_VRING_BASE; returns the base.
  std::uint16_t stop();
  /// Hands the back end its channel (SET_BACKEND_REQ_FD, answered); returns our end of it.
  int open_backend_channel();

  SessionSetup setup;
  std::uint64_t offered = 0;
  std::uint64_t offered_protocol = 0;
  GuestRam ram;
  RawRing ring;
  EventFd kick, call, err;
  FrontEnd peer;
};

}  // namespace vhost_test
