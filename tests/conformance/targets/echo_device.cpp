// The echo device and its flaws.
#include "echo_device.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <vgen/virtio/device_core.hpp>
#include <vgen/virtqueue/chain.hpp>
#include <vgen/virtqueue/error.hpp>
#include <vgen/virtqueue/features.hpp>

namespace vgen::conform_targets {
namespace {

using virtqueue::feature_bit;

}  // namespace

std::uint64_t EchoDevice::offered_features() const {
  std::uint64_t offer = virtio::kFeatureVersion1Mask | feature_bit(virtqueue::kFeatureIndirectDesc) |
                        feature_bit(virtqueue::kFeatureEventIdx) | feature_bit(virtqueue::kFeatureRingReset);
  if (flaw_ == EchoFlaw::ReverseOrder) offer |= feature_bit(virtqueue::kFeatureInOrder);
  return offer;
}

const virtio::FeatureRules& EchoDevice::feature_rules() const {
  static const virtio::FeatureRules rules{{2, 3}};
  return rules;
}

void EchoDevice::reset(virtio::DeviceCore&) { answered_ = 0; }

void EchoDevice::queue_notified(virtio::DeviceCore& core, std::uint16_t index) {
  virtqueue::DeviceQueue* queue = core.queue(index);
  if (queue == nullptr || wedged_) return;
  try {
    serve(core, *queue);
  } catch (const virtqueue::Error& error) {
    if (flaw_ == EchoFlaw::AbortOnLoop && error.code() == virtqueue::ErrorCode::ChainTooLong) std::abort();
    if (flaw_ == EchoFlaw::WedgedAfterError) wedged_ = true;
    throw;
  }
}

void EchoDevice::serve(virtio::DeviceCore& core, virtqueue::DeviceQueue& queue) {
  do {
    std::vector<virtqueue::DescriptorChain> batch(1);
    while (queue.take(batch.back())) batch.emplace_back();
    batch.pop_back();
    if (flaw_ == EchoFlaw::ReverseOrder) std::reverse(batch.begin(), batch.end());
    for (const auto& chain : batch) answer(core, chain, queue);
    if (batch.empty()) break;
    const bool silent = flaw_ == EchoFlaw::NeverNotifies || (flaw_ == EchoFlaw::SilentWithEventIdx && core.has_feature(virtqueue::kFeatureEventIdx));
    if (silent) queue.publish_unchecked();
    else queue.notify();
    std::byte counter[8];
    std::memcpy(counter, &answered_, sizeof counter);
    core.update_config(0, counter, false);
  } while (queue.enable_notifications());
}

void EchoDevice::answer(virtio::DeviceCore& core, const virtqueue::DescriptorChain& chain, virtqueue::DeviceQueue& queue) {
  std::vector<std::byte> request;
  for (const virtqueue::Segment& s : chain.readable()) {
    request.insert(request.end(), s.data, s.data + s.length);
    if (flaw_ == EchoFlaw::WritesReadable) std::memset(s.data, 0xee, s.length);
    if (flaw_ == EchoFlaw::FirstSegmentOnly) break;
  }
  virtqueue::ChainWriter writer(chain);
  writer.write(request);
  std::uint32_t written = writer.written();
  if (flaw_ == EchoFlaw::UsedLenBeyondBuffer) written = static_cast<std::uint32_t>(chain.writable_bytes() + 100);
  if (flaw_ == EchoFlaw::WritesDescriptor) {
    const virtqueue::RingAddresses rings = core.queue_addresses(0);
    core.memory().write_obj<std::uint32_t>(rings.desc + 16ull * chain.head() + 8, 0);
  }
  queue.put(chain.head(), written);
  if (flaw_ == EchoFlaw::BadUsedFlags) {
    const virtqueue::RingAddresses rings = core.queue_addresses(0);
    core.memory().write_obj<std::uint16_t>(rings.used, 2);
  }
  ++answered_;
}

conform::VirtioTarget echo_target(const std::string& name, EchoFlaw flaw) {
  conform::VirtioTarget target;
  target.name = name;
  target.make_device = [flaw] { return std::make_unique<EchoDevice>(flaw); };
  std::vector<std::byte> request(16);
  for (std::size_t i = 0; i < request.size(); ++i) request[i] = static_cast<std::byte>(0x30 + i);
  target.probes = {{0, request, 64, true}};
  return target;
}

}  // namespace vgen::conform_targets
