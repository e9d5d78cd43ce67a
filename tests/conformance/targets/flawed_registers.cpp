// Register files with a flaw.
#include "flawed_registers.hpp"

#include <chrono>

#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/mmio_registers.hpp>
#include <vgen/virtio/status.hpp>
#include <vgen/virtqueue/chain.hpp>
#include <vgen/virtqueue/split_device.hpp>

#include "echo_device.hpp"

namespace vgen::conform_targets {
namespace {

namespace m = virtio::mmio;

}  // namespace

FlawedRegisters::FlawedRegisters(RegisterFlaw flaw, virtio::DeviceCore& core, virtio::MmioBus& registers)
    : flaw_(flaw), core_(core), registers_(registers) {}

FlawedRegisters::~FlawedRegisters() {
  stop_ = true;
  if (rogue_.joinable()) rogue_.join();
}

FlawedRegisters::Ring FlawedRegisters::ring_of(std::uint32_t index) {
  return {core_.queue_size(index), core_.queue_addresses(index)};
}

std::vector<FlawedRegisters::Ring> FlawedRegisters::ready_rings() {
  std::vector<Ring> rings;
  for (std::uint32_t i = 0; i < core_.queue_count(); ++i) {
    if (core_.queue_ready(i)) rings.push_back(ring_of(i));
  }
  return rings;
}

// Takes every available chain of `ring` and returns it unwritten: a device using a queue it
// must leave alone.
void FlawedRegisters::serve_once(const Ring& ring) {
  try {
    virtqueue::QueueConfig config;
    config.size = ring.size;
    config.addresses = ring.addresses;
    virtqueue::SplitDeviceQueue queue(core_.memory(), config);
    virtqueue::DescriptorChain chain;
    while (queue.take(chain)) queue.put(chain.head(), 0);
    queue.publish_unchecked();
  } catch (const std::exception&) {
  }
}

// A device thread that keeps serving `rings` every 2 ms until the register file goes away.
void FlawedRegisters::serve_behind(std::vector<Ring> rings) {
  if (rogue_.joinable()) return;
  rogue_ = std::thread([this, rings = std::move(rings)] {
    while (!stop_) {
      for (const Ring& r : rings) serve_once(r);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
}

virtio::AccessResult FlawedRegisters::read(std::uint32_t offset, unsigned width) {
  virtio::AccessResult r = registers_.read(offset, width);
  switch (flaw_) {
    case RegisterFlaw::AcceptsAnyFeatures:
      if (offset == m::kStatus) r.value |= status_written_ & virtio::kStatusFeaturesOk;
      break;
    case RegisterFlaw::StatusStaysAfterReset:
      if (offset == m::kStatus && was_reset_) r.value |= virtio::kStatusAcknowledge;
      break;
    case RegisterFlaw::OffersBrokenDependency:
      if (offset == m::kDeviceFeatures && feature_select_ == 0) r.value |= 1u << 2;
      break;
    case RegisterFlaw::ConfigUnreadableEarly:
      if (offset >= m::kConfig && (status_written_ & virtio::kStatusFeaturesOk) == 0) return {0, virtio::AccessFault::Rejected};
      break;
    case RegisterFlaw::BadMagic:
      if (offset == m::kMagicValue) r.value = 0x56495254;
      break;
    case RegisterFlaw::ReadClearsInterrupt:
      if (offset == m::kInterruptStatus && r.value != 0) registers_.write(m::kInterruptAck, 4, r.value);
      break;
    case RegisterFlaw::ReadyAfterReset:
      if (offset == m::kQueueReady && was_reset_) r.value = 1;
      break;
    case RegisterFlaw::HidesNeedsResetNotice:
      if (offset == m::kInterruptStatus) r.value &= ~virtio::kInterruptConfigChange;
      break;
    case RegisterFlaw::ConfigWithoutGeneration:
      if (offset == m::kConfigGeneration) r.value = 0;
      break;
    case RegisterFlaw::InterruptBeforeDriverOk:
      if (offset == m::kInterruptStatus && raised_early_ && (status_written_ & virtio::kStatusDriverOk) == 0) {
        r.value |= virtio::kInterruptUsedBuffer;
      }
      break;
    default: break;
  }
  return r;
}

virtio::AccessResult FlawedRegisters::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
  if (offset == m::kQueueSel) queue_sel_ = value;
  if (offset == m::kDeviceFeaturesSel) feature_select_ = value;
  if (offset == m::kStatus) {
    if (value == 0 && (status_written_ & virtio::kStatusDriverOk) != 0) {
      was_reset_ = true;
      if (flaw_ == RegisterFlaw::UsesRingsAfterReset) serve_behind(ready_rings());
    }
    status_written_ = value;
  }
  if (flaw_ == RegisterFlaw::TouchesUnreadyQueue && offset == m::kQueueNotify && !core_.queue_ready(value)) serve_once(ring_of(value));
  const virtio::AccessResult r = registers_.write(offset, width, value);
  if (offset == m::kQueueReady && value == 1 && (status_written_ & virtio::kStatusDriverOk) == 0) {
    if (flaw_ == RegisterFlaw::ConsumeBeforeDriverOk) serve_behind({ring_of(queue_sel_)});
    if (flaw_ == RegisterFlaw::InterruptBeforeDriverOk) raised_early_ = true;
  }
  return r;
}

conform::VirtioTarget flawed_registers_target(const std::string& name, RegisterFlaw flaw) {
  conform::VirtioTarget target = echo_target(name, EchoFlaw::None);
  target.wrap_registers = [flaw](virtio::DeviceCore& core, virtio::MmioBus& registers) {
    return std::make_unique<FlawedRegisters>(flaw, core, registers);
  };
  return target;
}

}  // namespace vgen::conform_targets
