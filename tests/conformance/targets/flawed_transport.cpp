// The loopback driver over a transport with a flaw.
#include "flawed_transport.hpp"

#include <atomic>
#include <map>

#include <vgen/virtio/status.hpp>
#include <vgen/virtqueue/split_ring.hpp>

#include "loopback.hpp"
#include "loopback_device.hpp"
#include "loopback_target.hpp"

namespace vgen::conform_targets {
namespace {

constexpr std::uint16_t kTransmitQueue = 1;

// Forwards every operation to `inner`, except where the flaw changes it.
class FlawedTransport final : public virtio::Transport {
 public:
  FlawedTransport(DriverFlaw flaw, virtio::Transport& inner, const shm::GuestMemory& memory)
      : flaw_(flaw), inner_(inner), memory_(memory) {}

  std::string name() const override { return inner_.name(); }
  std::uint32_t device_id() override { return inner_.device_id(); }
  std::uint32_t vendor_id() override { return inner_.vendor_id(); }
  std::uint8_t status() override;
  void set_status(std::uint8_t status) override;
  std::uint32_t device_features(std::uint32_t select) override { return inner_.device_features(select); }
  void set_driver_features(std::uint32_t select, std::uint32_t value) override;
  std::uint32_t queue_max_size(std::uint16_t index) override { return inner_.queue_max_size(index); }
  bool queue_ready(std::uint16_t index) override { return inner_.queue_ready(index); }
  void set_queue_size(std::uint16_t index, std::uint32_t size) override;
  void set_queue_addresses(std::uint16_t index, const virtqueue::RingAddresses& addresses) override;
  void set_queue_ready(std::uint16_t index, bool ready) override;
  void reset_queue(std::uint16_t index) override { inner_.reset_queue(index); }
  void notify(std::uint16_t index) override;
  std::uint32_t interrupt_status() override;
  void acknowledge_interrupt(std::uint32_t bits) override;
  notify::Notifier& interrupt() override { return inner_.interrupt(); }
  std::uint32_t config_generation() override { return inner_.config_generation(); }
  std::uint32_t read_config(std::uint32_t offset, unsigned width) override { return inner_.read_config(offset, width); }
  void write_config(std::uint32_t offset, unsigned width, std::uint32_t value) override { inner_.write_config(offset, width, value); }

 private:
  static void ignore(const std::function<void()>& action) {
    try {
      action();
    } catch (const std::exception&) {
    }
  }
  virtqueue::SplitRing ring(std::uint16_t index) { return virtqueue::SplitRing(memory_, sizes_[index], addresses_[index]); }
  void sabotage_ring(std::uint16_t index);

  DriverFlaw flaw_;
  virtio::Transport& inner_;
  const shm::GuestMemory& memory_;
  std::uint8_t written_ = 0;
  std::uint32_t features_low_ = 0;
  std::map<std::uint16_t, std::uint32_t> sizes_;
  std::map<std::uint16_t, virtqueue::RingAddresses> addresses_;
  std::map<std::uint16_t, std::uint16_t> notified_;  // avail idx at each queue's last notification
  bool decremented_ = false;
};

std::uint8_t FlawedTransport::status() {
  const bool answered_here = flaw_ == DriverFlaw::SkipsFeaturesOkReread && (written_ & virtio::kStatusFeaturesOk) != 0 &&
                             (written_ & virtio::kStatusDriverOk) == 0;
  if (answered_here) return written_;
  std::uint8_t value = inner_.status();
  if (flaw_ == DriverFlaw::IgnoresRefusedFeatures) value |= written_ & virtio::kStatusFeaturesOk;
  return value;
}

void FlawedTransport::set_status(std::uint8_t value) {
  written_ = value;
  if (flaw_ == DriverFlaw::HidesFailed) value &= static_cast<std::uint8_t>(~virtio::kStatusFailed);
  if (flaw_ == DriverFlaw::ClearsStatusBit && (value & virtio::kStatusDriverOk) != 0) value &= static_cast<std::uint8_t>(~virtio::kStatusAcknowledge);
  inner_.set_status(value);
  if (flaw_ == DriverFlaw::FeaturesAfterFeaturesOk && (value & virtio::kStatusFeaturesOk) != 0 && (value & virtio::kStatusDriverOk) == 0) {
    ignore([&] { inner_.set_driver_features(0, features_low_); });
  }
}

void FlawedTransport::set_driver_features(std::uint32_t select, std::uint32_t value) {
  if (flaw_ == DriverFlaw::AcceptsUnoffered && select == 0) value |= 1u << 5;
  if (select == 0) features_low_ = value;
  inner_.set_driver_features(select, value);
  if (flaw_ == DriverFlaw::ConfigWriteEarly && select == 1) ignore([&] { inner_.write_config(8, 4, 1); });
}

void FlawedTransport::set_queue_size(std::uint16_t index, std::uint32_t size) {
  sizes_[index] = size;
  inner_.set_queue_size(index, flaw_ == DriverFlaw::QueueNumAboveMax ? size * 2 : size);
}

void FlawedTransport::set_queue_addresses(std::uint16_t index, const virtqueue::RingAddresses& addresses) {
  addresses_[index] = addresses;
  virtqueue::RingAddresses told = addresses;
  if (flaw_ == DriverFlaw::MisalignedRing) told.desc += 8;
  inner_.set_queue_addresses(index, told);
}

void FlawedTransport::set_queue_ready(std::uint16_t index, bool ready) {
  if (ready && flaw_ == DriverFlaw::DirtyUsedFlags) memory_.write_obj<std::uint16_t>(addresses_[index].used, little_endian(std::uint16_t{1}));
  inner_.set_queue_ready(index, ready);
  if (ready && flaw_ == DriverFlaw::NotifyBeforeDriverOk) ignore([&] { inner_.notify(index); });
}

// Rewrites the ring of `index` just before a notification, as the flaw says.
void FlawedTransport::sabotage_ring(std::uint16_t index) {
  virtqueue::SplitRing r = ring(index);
  const std::uint16_t avail = r.load_avail_idx(std::memory_order_acquire);
  if (flaw_ == DriverFlaw::AvailDecrement && !decremented_) {
    for (const auto& [queue, seen] : notified_) {
      if (queue == index || seen == 0) continue;
      ring(queue).store_avail_idx(static_cast<std::uint16_t>(seen - 1), std::memory_order_release);
      decremented_ = true;
    }
  }
  notified_[index] = avail;
  if (flaw_ == DriverFlaw::LoopingChain && index == kTransmitQueue && avail > 0) {
    const std::uint16_t head = r.load_avail_entry((avail - 1) & r.mask());
    virtqueue::Descriptor d = r.read_descriptor(head);
    d.flags |= virtqueue::kDescNext;
    d.next = head;
    r.write_descriptor(head, d);
  }
  if (flaw_ == DriverFlaw::AltersExposed && index == kTransmitQueue) {
    virtqueue::SplitRing receive = ring(0);
    const std::uint16_t exposed = receive.load_avail_idx(std::memory_order_acquire);
    const std::uint16_t head = receive.load_avail_entry((exposed - 1) & receive.mask());
    virtqueue::Descriptor d = receive.read_descriptor(head);
    d.len -= 1;
    receive.write_descriptor(head, d);
  }
}

void FlawedTransport::notify(std::uint16_t index) {
  if (flaw_ == DriverFlaw::DropsNotifications && index == kTransmitQueue) return;
  if (sizes_.count(index) != 0 && addresses_.count(index) != 0) sabotage_ring(index);
  inner_.notify(index);
}

std::uint32_t FlawedTransport::interrupt_status() {
  if (flaw_ == DriverFlaw::AckWithoutStatusRead) return 1;
  return inner_.interrupt_status();
}

void FlawedTransport::acknowledge_interrupt(std::uint32_t bits) {
  if (flaw_ == DriverFlaw::AckUndefinedBits) bits |= 1u << 4;
  inner_.acknowledge_interrupt(bits);
}

}  // namespace

conform::VirtioTarget flawed_driver_target(const std::string& name, DriverFlaw flaw) {
  conform::VirtioTarget target = loopback_target();
  target.name = name;
  target.run_driver = [flaw](virtio::Transport& transport, const shm::GuestMemory& memory, shm::Allocator& allocator) {
    FlawedTransport flawed(flaw, transport, memory);
    return run_loopback_driver(flawed, memory, allocator);
  };
  return target;
}

}  // namespace vgen::conform_targets
