#include "vgen/testing/chain_builder.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <vgen/wire/codec.hpp>

namespace vgen::testing {
namespace {

using virtqueue::Descriptor;
using virtqueue::kDescIndirect;
using virtqueue::kDescNext;
using virtqueue::kDescWrite;

// The memory of `ram` after zeroing the rings of `config` in it.
const shm::GuestMemory& zero_rings(GuestRam& ram, const virtqueue::QueueConfig& config) {
  for (const auto& [addr, bytes] : {std::pair{config.addresses.desc, virtqueue::desc_table_bytes(config.size)},
                                    std::pair{config.addresses.avail, virtqueue::avail_ring_bytes(config.size)},
                                    std::pair{config.addresses.used, virtqueue::used_ring_bytes(config.size)}}) {
    const std::span<std::byte> part = ram.bytes(addr, bytes);
    std::fill(part.begin(), part.end(), std::byte{0});
  }
  return ram.memory();
}

}  // namespace

std::vector<Descriptor> descriptors(std::span<const virtqueue::Buffer> readable,
                                    std::span<const virtqueue::Buffer> writable, std::uint16_t first) {
  std::vector<Descriptor> chain;
  for (const virtqueue::Buffer& buffer : readable) chain.push_back({buffer.addr, buffer.length, 0, 0});
  for (const virtqueue::Buffer& buffer : writable) chain.push_back({buffer.addr, buffer.length, kDescWrite, 0});
  for (std::size_t index = 0; index + 1 < chain.size(); ++index) {
    chain[index].flags |= kDescNext;
    chain[index].next = static_cast<std::uint16_t>(first + index + 1);
  }
  return chain;
}

ChainBuilder::ChainBuilder(GuestRam& ram, const virtqueue::QueueConfig& config)
    : ram_(ram), ring_(zero_rings(ram, config), config.size, config.addresses) {}

std::uint16_t ChainBuilder::reserve(std::size_t count) {
  if (count == 0 || next_entry_ + count > ring_.size()) {
    throw std::length_error("chain builder: " + std::to_string(count) + " descriptors do not fit; " +
                            std::to_string(ring_.size() - next_entry_) + " of " + std::to_string(ring_.size()) +
                            " table entries are left");
  }
  const auto first = static_cast<std::uint16_t>(next_entry_);
  next_entry_ += static_cast<std::uint32_t>(count);
  return first;
}

// Writes `descriptors` (already linked from their first index) and makes the chain available.
std::uint16_t ChainBuilder::link(std::span<const Descriptor> chain) {
  const std::uint16_t head = reserve(chain.size());
  for (std::size_t index = 0; index < chain.size(); ++index) {
    write(static_cast<std::uint16_t>(head + index), chain[index]);
  }
  make_available(head);
  return head;
}

std::uint16_t ChainBuilder::add(std::span<const virtqueue::Buffer> readable,
                                std::span<const virtqueue::Buffer> writable) {
  return link(descriptors(readable, writable, static_cast<std::uint16_t>(next_entry_)));
}

std::uint16_t ChainBuilder::add_indirect(std::span<const virtqueue::Buffer> readable,
                                         std::span<const virtqueue::Buffer> writable) {
  const std::vector<Descriptor> table = descriptors(readable, writable);
  const Descriptor indirect{write_table(table), static_cast<std::uint32_t>(16 * table.size()), kDescIndirect, 0};
  return link(std::span(&indirect, 1));
}

std::uint16_t ChainBuilder::add_loop(std::uint16_t length) {
  const std::uint16_t first = static_cast<std::uint16_t>(next_entry_);
  std::vector<Descriptor> chain(length, Descriptor{ram_.buffer(8).addr, 8, kDescNext, 0});
  for (std::uint16_t index = 0; index < length; ++index) {
    chain[index].next = static_cast<std::uint16_t>(first + (index + 1) % length);
  }
  return link(chain);
}

std::uint16_t ChainBuilder::add_next_out_of_range() {
  const Descriptor broken{ram_.buffer(8).addr, 8, kDescNext, static_cast<std::uint16_t>(ring_.size())};
  return link(std::span(&broken, 1));
}

void ChainBuilder::add_head_out_of_range() { make_available(static_cast<std::uint16_t>(ring_.size())); }

std::uint16_t ChainBuilder::add_oversized(std::uint32_t length) {
  const Descriptor oversized{ram_.base(), length, 0, 0};
  return link(std::span(&oversized, 1));
}

std::uint16_t ChainBuilder::add_bad_indirect(IndirectFault fault) {
  const shm::GuestAddress data = ram_.buffer(8).addr;
  const Descriptor plain[] = {{data, 8, 0, 0}, {data, 8, 0, 0}};
  Descriptor indirect{write_table(plain), 32, kDescIndirect, 0};
  switch (fault) {
    case IndirectFault::length_not_multiple_of_16:
      indirect.len = 24;
      break;
    case IndirectFault::empty:
      indirect.len = 0;
      break;
    case IndirectFault::nested: {
      const Descriptor nested[] = {{data, 8, kDescNext, 1}, {indirect.addr, 16, kDescIndirect, 0}};
      indirect.addr = write_table(nested);
      break;
    }
    case IndirectFault::outside_memory:
      indirect.addr = ram_.base() + ram_.size() - 16;
      break;
    case IndirectFault::with_next:
      indirect.flags |= kDescNext;
      indirect.next = 0;
      break;
    case IndirectFault::loop: {
      const Descriptor circle[] = {{data, 8, kDescNext, 1}, {data, 8, kDescNext, 0}};
      indirect.addr = write_table(circle);
      break;
    }
  }
  return link(std::span(&indirect, 1));
}

void ChainBuilder::set_avail_idx(std::uint16_t idx) {
  avail_idx_ = idx;
  ring_.store_avail_idx(idx, std::memory_order_release);
}

void ChainBuilder::write(std::uint16_t index, const Descriptor& descriptor) {
  if (index >= ring_.size()) {
    throw std::out_of_range("chain builder: table entry " + std::to_string(index) + " of a queue of " +
                            std::to_string(ring_.size()));
  }
  ring_.write_descriptor(index, descriptor);
}

// §2.7.13.2: the entry first, then the index with release ordering.
void ChainBuilder::make_available(std::uint16_t head) {
  ring_.store_avail_entry(avail_idx_ & ring_.mask(), head);
  set_avail_idx(static_cast<std::uint16_t>(avail_idx_ + 1));
}

shm::GuestAddress ChainBuilder::write_table(std::span<const Descriptor> entries) {
  const shm::GuestAddress table = ram_.allocator().allocate(std::max<std::uint64_t>(16 * entries.size(), 16), 16);
  const std::span<std::byte> bytes = ram_.bytes(table, 16 * entries.size());
  for (std::size_t index = 0; index < entries.size(); ++index) {
    std::byte* entry = bytes.data() + 16 * index;
    wire::store_le(entry, entries[index].addr);
    wire::store_le(entry + 8, entries[index].len);
    wire::store_le(entry + 12, entries[index].flags);
    wire::store_le(entry + 14, entries[index].next);
  }
  return table;
}

std::uint16_t ChainBuilder::used_idx() const noexcept { return ring_.load_used_idx(std::memory_order_acquire); }

std::vector<virtqueue::UsedElement> ChainBuilder::take_used() {
  std::vector<virtqueue::UsedElement> used;
  for (const std::uint16_t end = used_idx(); seen_used_ != end; ++seen_used_) {
    used.push_back(ring_.load_used_entry(seen_used_ & ring_.mask()));
  }
  return used;
}

}  // namespace vgen::testing
