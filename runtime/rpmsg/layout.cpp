#include <vgen/rpmsg/layout.hpp>

#include <vgen/format.hpp>
#include <vgen/rpmsg/error.hpp>
#include <vgen/virtqueue/layout.hpp>

#include "buffer_size.hpp"

namespace vgen::rpmsg {
namespace {

void check_queue_size(std::uint32_t size, const char* who) {
  if (!virtqueue::valid_queue_size(size)) {
    throw Error(ErrorCode::InvalidConfig,
                std::string(who) + ": queue size " + std::to_string(size) + " is not a power of two from 1 to 32768");
  }
}

// Throws unless [addr, +bytes) lies in `memory` and addr is a multiple of `align`.
void check_part(const shm::GuestMemory& memory, const char* field, shm::GuestAddress addr, std::uint64_t bytes,
                std::uint64_t align) {
  if (addr % align != 0) {
    throw Error(ErrorCode::InvalidConfig, std::string("layout: ") + field + " at " + hex(addr) + " is not aligned to " +
                                              std::to_string(align) + " bytes");
  }
  if (memory.find(addr, bytes) == nullptr) {
    throw Error(ErrorCode::InvalidConfig, std::string("layout: ") + field + " [" + hex(addr) + ", +" +
                                              std::to_string(bytes) + ") is not inside shared memory");
  }
}

void check_rings(const shm::GuestMemory& memory, const char* name, const virtqueue::RingAddresses& rings,
                 std::uint32_t size) {
  const std::string prefix(name);
  check_part(memory, (prefix + " descriptor table").c_str(), rings.desc, virtqueue::desc_table_bytes(size),
             virtqueue::kDescAlign);
  check_part(memory, (prefix + " available ring").c_str(), rings.avail, virtqueue::avail_ring_bytes(size),
             virtqueue::kAvailAlign);
  check_part(memory, (prefix + " used ring").c_str(), rings.used, virtqueue::used_ring_bytes(size),
             virtqueue::kUsedAlign);
}

virtqueue::RingAddresses plan_rings(shm::Allocator& allocator, std::uint32_t size) {
  // Each part starts on its own cache line: the driver writes the available ring and the
  // device the used ring, so sharing a line would make every update bounce it.
  virtqueue::RingAddresses rings;
  rings.desc = allocator.allocate(virtqueue::desc_table_bytes(size), 64);
  rings.avail = allocator.allocate(virtqueue::avail_ring_bytes(size), 64);
  rings.used = allocator.allocate(virtqueue::used_ring_bytes(size), 64);
  return rings;
}

std::uint64_t round_up(std::uint64_t v, std::uint64_t align) { return (v + align - 1) & ~(align - 1); }

}  // namespace

std::uint64_t SharedLayout::bytes(const LayoutOptions& options) {
  check_queue_size(options.queue_size, "layout");
  detail::check_buffer_size(options.buffer_size, "layout");
  const std::uint32_t n = options.queue_size;
  const std::uint64_t rings = round_up(virtqueue::desc_table_bytes(n), 64) +
                              round_up(virtqueue::avail_ring_bytes(n), 64) +
                              round_up(virtqueue::used_ring_bytes(n), 64);
  const std::uint64_t buffers = round_up(2ull * n * options.buffer_size, 64);
  return 2 * rings + buffers + sizeof(SharedFeedback) + 2 * sizeof(notify::MailboxRegister);
}

SharedLayout SharedLayout::plan(shm::Allocator& allocator, const LayoutOptions& options) {
  check_queue_size(options.queue_size, "layout");
  detail::check_buffer_size(options.buffer_size, "layout");
  SharedLayout l;
  l.queue_size = options.queue_size;
  l.buffer_size = options.buffer_size;
  l.event_idx = options.event_idx ? 1 : 0;
  l.rx_rings = plan_rings(allocator, options.queue_size);
  l.tx_rings = plan_rings(allocator, options.queue_size);
  l.buffers = allocator.allocate(2ull * options.queue_size * options.buffer_size, 64);
  l.feedback = allocator.allocate(sizeof(SharedFeedback), alignof(SharedFeedback));
  l.host_doorbell = allocator.allocate(sizeof(notify::MailboxRegister), alignof(notify::MailboxRegister));
  l.remote_doorbell = allocator.allocate(sizeof(notify::MailboxRegister), alignof(notify::MailboxRegister));
  return l;
}

void SharedLayout::validate(const shm::GuestMemory& memory) const {
  check_queue_size(queue_size, "layout");
  detail::check_buffer_size(buffer_size, "layout");
  if (event_idx > 1) {
    throw Error(ErrorCode::InvalidConfig, "layout: event_idx is " + std::to_string(event_idx) + ", not 0 or 1");
  }
  check_rings(memory, "rx queue", rx_rings, queue_size);
  check_rings(memory, "tx queue", tx_rings, queue_size);
  check_part(memory, "buffers", buffers, 2ull * queue_size * buffer_size, 1);
  check_part(memory, "feedback", feedback, sizeof(SharedFeedback), alignof(SharedFeedback));
  check_part(memory, "host doorbell", host_doorbell, sizeof(notify::MailboxRegister), alignof(notify::MailboxRegister));
  check_part(memory, "remote doorbell", remote_doorbell, sizeof(notify::MailboxRegister),
             alignof(notify::MailboxRegister));
}

virtqueue::QueueConfig SharedLayout::rx_queue() const noexcept {
  virtqueue::QueueConfig c;
  c.size = queue_size;
  c.addresses = rx_rings;
  c.features = {false, event_idx != 0};
  c.index = 0;
  return c;
}

virtqueue::QueueConfig SharedLayout::tx_queue() const noexcept {
  virtqueue::QueueConfig c = rx_queue();
  c.addresses = tx_rings;
  c.index = 1;
  return c;
}

SharedFeedback* SharedLayout::feedback_in(const shm::GuestMemory& memory) const {
  return reinterpret_cast<SharedFeedback*>(memory.translate(feedback, sizeof(SharedFeedback)));
}

notify::MailboxRegister* SharedLayout::host_doorbell_in(const shm::GuestMemory& memory) const {
  return reinterpret_cast<notify::MailboxRegister*>(memory.translate(host_doorbell, sizeof(notify::MailboxRegister)));
}

notify::MailboxRegister* SharedLayout::remote_doorbell_in(const shm::GuestMemory& memory) const {
  return reinterpret_cast<notify::MailboxRegister*>(memory.translate(remote_doorbell, sizeof(notify::MailboxRegister)));
}

}  // namespace vgen::rpmsg
