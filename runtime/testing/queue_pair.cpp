#include "vgen/testing/queue_pair.hpp"

namespace vgen::testing {

QueuePair::QueuePair(std::uint32_t size, virtqueue::RingFeatures features) : ram_(1 << 20) {
  config_.size = size;
  config_.features = features;
  config_.addresses.desc = ram_.allocator().allocate(virtqueue::desc_table_bytes(size), virtqueue::kDescAlign);
  config_.addresses.avail = ram_.allocator().allocate(virtqueue::avail_ring_bytes(size), virtqueue::kAvailAlign);
  config_.addresses.used = ram_.allocator().allocate(virtqueue::used_ring_bytes(size), virtqueue::kUsedAlign);
  driver_.emplace(ram_.memory(), config_);
  device_.emplace(ram_.memory(), config_);
}

std::optional<std::uint16_t> QueuePair::offer(std::span<const std::byte> readable, std::uint32_t writable_bytes,
                                              std::uint64_t token) {
  std::vector<virtqueue::Buffer> in;
  std::vector<virtqueue::Buffer> out;
  if (!readable.empty()) in.push_back(ram_.buffer_with(readable));
  if (writable_bytes > 0) out.push_back(ram_.buffer(writable_bytes));
  const std::optional<std::uint16_t> head = driver_->add(in, out, token);
  if (head) driver_->publish();
  return head;
}

std::optional<virtqueue::DescriptorChain> QueuePair::take() {
  virtqueue::DescriptorChain chain;
  if (!device_->take(chain)) return std::nullopt;
  return chain;
}

std::vector<std::byte> QueuePair::read(const virtqueue::DescriptorChain& chain) {
  std::vector<std::byte> bytes(static_cast<std::size_t>(chain.readable_bytes()));
  bytes.resize(virtqueue::ChainReader(chain).read(bytes));
  return bytes;
}

void QueuePair::complete(const virtqueue::DescriptorChain& chain, std::span<const std::byte> reply) {
  virtqueue::ChainWriter writer(chain);
  writer.write(reply);
  device_->put(chain.head(), writer.written());
  device_->publish();
}

}  // namespace vgen::testing
