// The harness's raw split ring.
#include "ring_writer.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace vgen::conform::virtio_checks {
namespace {

using virtqueue::Descriptor;
using virtqueue::kDescIndirect;
using virtqueue::kDescNext;
using virtqueue::kDescWrite;

virtqueue::RingAddresses allocate_rings(const shm::GuestMemory& memory, shm::Allocator& allocator, std::uint32_t size) {
  virtqueue::RingAddresses a;
  // §2.7.1: descriptor table 16-aligned, available ring 2-aligned, used ring 4-aligned.
  a.desc = allocator.allocate(virtqueue::desc_table_bytes(size), virtqueue::kDescAlign);
  a.avail = allocator.allocate(virtqueue::avail_ring_bytes(size), virtqueue::kAvailAlign);
  a.used = allocator.allocate(virtqueue::used_ring_bytes(size), virtqueue::kUsedAlign);
  std::memset(memory.translate(a.desc, virtqueue::desc_table_bytes(size)), 0, virtqueue::desc_table_bytes(size));
  std::memset(memory.translate(a.avail, virtqueue::avail_ring_bytes(size)), 0, virtqueue::avail_ring_bytes(size));
  std::memset(memory.translate(a.used, virtqueue::used_ring_bytes(size)), 0, virtqueue::used_ring_bytes(size));
  return a;
}

std::uint32_t fragments(std::uint32_t length, std::uint32_t fragment) {
  return length == 0 ? 1 : (length + fragment - 1) / fragment;
}

// Bytes per descriptor when a buffer of `length` bytes is cut into kPieces descriptors.
constexpr std::uint32_t kPieces = 4;
std::uint32_t piece(std::uint32_t length) { return std::max<std::uint32_t>(1, (length + kPieces - 1) / kPieces); }

}  // namespace

RingWriter::RingWriter(const shm::GuestMemory& memory, shm::Allocator& allocator, std::uint32_t size)
    : memory_(memory),
      allocator_(allocator),
      size_(size),
      addresses_(allocate_rings(memory, allocator, size)),
      ring_(memory, size, addresses_) {}

void RingWriter::put(std::uint32_t index, const Descriptor& d) { ring_.write_descriptor(index % size_, d); }

Descriptor RingWriter::get(std::uint32_t index) const { return ring_.read_descriptor(index % size_); }

std::vector<std::byte> RingWriter::table_bytes() const {
  const std::byte* p = memory_.translate(addresses_.desc, virtqueue::desc_table_bytes(size_));
  return {p, p + virtqueue::desc_table_bytes(size_)};
}

std::uint32_t RingWriter::descriptors_needed(std::span<const Part> parts, Layout layout) {
  switch (layout) {
    case Layout::Direct:
      return static_cast<std::uint32_t>(parts.size());
    case Layout::Fragmented: {
      std::uint32_t n = 0;
      for (const Part& p : parts) n += fragments(p.length, piece(p.length));
      return n;
    }
    case Layout::Indirect:
    case Layout::IndirectWriteFlag:
      return 1;
    case Layout::ChainThenIndirect:
      return parts.size() > 1 ? 2 : 1;
  }
  return 0;
}

std::uint16_t RingWriter::take_index() {
  const auto index = static_cast<std::uint16_t>(next_free_ % size_);
  ++next_free_;
  return index;
}

std::uint16_t RingWriter::add(std::span<const Part> parts, Layout layout) {
  switch (layout) {
    case Layout::Direct:
      return add_direct(parts, 0);
    case Layout::Fragmented:
      return add_direct(parts, kPieces);
    case Layout::Indirect:
      return add_indirect(parts, false);
    case Layout::IndirectWriteFlag:
      return add_indirect(parts, true);
    case Layout::ChainThenIndirect: {
      if (parts.size() < 2) return add_indirect(parts, false);
      const std::uint16_t head = take_index();
      std::uint32_t bytes = 0;
      const shm::GuestAddress table = table_for(parts.subspan(1), bytes);
      const std::uint16_t second = take_index();
      put(head, {parts[0].addr, parts[0].length,
                 static_cast<std::uint16_t>(kDescNext | (parts[0].writable ? kDescWrite : 0)), second});
      put(second, {table, bytes, kDescIndirect, 0});
      return head;
    }
  }
  return 0;
}

// One descriptor per part, or (pieces != 0) each part cut into up to `pieces` descriptors.
std::uint16_t RingWriter::add_direct(std::span<const Part> parts, std::uint32_t pieces) {
  struct Piece {
    shm::GuestAddress addr;
    std::uint32_t length;
    bool writable;
  };
  std::vector<Piece> cut;
  for (const Part& p : parts) {
    if (pieces == 0 || p.length == 0) {
      cut.push_back({p.addr, p.length, p.writable});
      continue;
    }
    const std::uint32_t size = piece(p.length);
    for (std::uint32_t off = 0; off < p.length; off += size)
      cut.push_back({p.addr + off, std::min(size, p.length - off), p.writable});
  }
  std::vector<std::uint16_t> indexes;
  for (std::size_t i = 0; i < cut.size(); ++i) indexes.push_back(take_index());
  for (std::size_t i = 0; i < cut.size(); ++i) {
    const bool last = i + 1 == cut.size();
    const auto flags = static_cast<std::uint16_t>((last ? 0 : kDescNext) | (cut[i].writable ? kDescWrite : 0));
    put(indexes[i], {cut[i].addr, cut[i].length, flags, last ? std::uint16_t{0} : indexes[i + 1]});
  }
  return indexes.front();
}

// An indirect table holding `parts` in order, placed in fresh guest memory.
shm::GuestAddress RingWriter::table_for(std::span<const Part> parts, std::uint32_t& bytes) {
  bytes = static_cast<std::uint32_t>(16 * parts.size());
  const shm::GuestAddress table = allocator_.allocate(bytes, 16);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    const auto flags = static_cast<std::uint16_t>((last ? 0 : kDescNext) | (parts[i].writable ? kDescWrite : 0));
    const Descriptor le{parts[i].addr, parts[i].length, flags, static_cast<std::uint16_t>(last ? 0 : i + 1)};
    memory_.write_obj(table + 16 * i, Descriptor{little_endian(le.addr), little_endian(le.len), little_endian(le.flags),
                                                 little_endian(le.next)});
  }
  return table;
}

std::uint16_t RingWriter::add_indirect(std::span<const Part> parts, bool write_flag) {
  std::uint32_t bytes = 0;
  const shm::GuestAddress table = table_for(parts, bytes);
  const std::uint16_t head = take_index();
  put(head, {table, bytes, static_cast<std::uint16_t>(kDescIndirect | (write_flag ? kDescWrite : 0)), 0});
  return head;
}

void RingWriter::expose(std::uint16_t head) {
  ring_.store_avail_entry(avail_idx_ & (size_ - 1), head);
  ++avail_idx_;
  ring_.store_avail_idx(avail_idx_, std::memory_order_release);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // §2.7.13.4.1: before the caller notifies
}

void RingWriter::set_avail_idx(std::uint16_t idx) {
  avail_idx_ = idx;
  ring_.store_avail_idx(idx, std::memory_order_release);
}

void RingWriter::set_avail_flags(std::uint16_t flags) { ring_.store_avail_flags(flags); }
void RingWriter::set_used_event(std::uint16_t event) { ring_.store_used_event(event); }
std::uint16_t RingWriter::used_idx() const { return ring_.load_used_idx(std::memory_order_acquire); }
std::uint16_t RingWriter::used_flags() const { return ring_.load_used_flags(); }
virtqueue::UsedElement RingWriter::used(std::uint16_t slot) const { return ring_.load_used_entry(slot & (size_ - 1)); }
std::uint16_t RingWriter::avail_event() const { return ring_.load_avail_event(); }

}  // namespace vgen::conform::virtio_checks
