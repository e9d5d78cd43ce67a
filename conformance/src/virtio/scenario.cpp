// The harness device's behaviours.
#include "scenario.hpp"

#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/mmio_registers.hpp>
#include <vgen/virtio/status.hpp>
#include <vgen/virtqueue/features.hpp>

namespace vgen::conform::virtio_checks {
namespace {

namespace m = virtio::mmio;

// The pair's model with a changed offer check or configuration size.
class ScenarioModel final : public virtio::DeviceModel {
 public:
  ScenarioModel(Scenario scenario, std::unique_ptr<virtio::DeviceModel> inner)
      : scenario_(scenario), inner_(std::move(inner)) {}
  virtio::DeviceIdentity identity() const override { return inner_->identity(); }
  std::uint64_t offered_features() const override { return inner_->offered_features(); }
  const virtio::FeatureRules& feature_rules() const override { return inner_->feature_rules(); }
  std::vector<std::uint32_t> queue_max_sizes() const override { return inner_->queue_max_sizes(); }
  std::vector<std::byte> initial_config() const override {
    std::vector<std::byte> config = inner_->initial_config();
    if (scenario_ == Scenario::ConfigPadding) config.resize(config.size() + 64);
    return config;
  }
  std::optional<std::string> check_features(std::uint64_t accepted) const override {
    if (scenario_ == Scenario::RefuseFeatures) return std::string("the harness refuses every feature set");
    return inner_->check_features(accepted);
  }
  std::optional<std::string> config_written(virtio::DeviceCore& core, std::uint32_t offset,
                                            std::span<const std::byte> bytes) override {
    return inner_->config_written(core, offset, bytes);
  }
  void activate(virtio::DeviceCore& core) override { inner_->activate(core); }
  void queue_notified(virtio::DeviceCore& core, std::uint16_t index) override { inner_->queue_notified(core, index); }
  void queue_enabled(virtio::DeviceCore& core, std::uint16_t index) override { inner_->queue_enabled(core, index); }
  void queue_stopped(virtio::DeviceCore& core, std::uint16_t index) override { inner_->queue_stopped(core, index); }
  void reset(virtio::DeviceCore& core) override { inner_->reset(core); }

 private:
  Scenario scenario_;
  std::unique_ptr<virtio::DeviceModel> inner_;
};

bool is_config(const Access& a) { return a.offset >= m::kConfig; }

}  // namespace

const char* to_string(Scenario scenario) noexcept {
  switch (scenario) {
    case Scenario::Faithful:
      return "faithful";
    case Scenario::RefuseFeatures:
      return "refuse-features";
    case Scenario::NoVersion1:
      return "no-version-1";
    case Scenario::BadMagic:
      return "bad-magic";
    case Scenario::BadVersion:
      return "bad-version";
    case Scenario::DeviceIdZero:
      return "device-id-zero";
    case Scenario::ConfigPadding:
      return "config-padding";
    case Scenario::GenerationFlip:
      return "generation-flip";
    case Scenario::SpuriousInterrupts:
      return "spurious-interrupts";
    case Scenario::UndefinedInterruptBits:
      return "undefined-interrupt-bits";
    case Scenario::SuppressionNoise:
      return "suppression-noise";
    case Scenario::BadUsedId:
      return "bad-used-id";
    case Scenario::UsedLenTooLarge:
      return "used-len-too-large";
    case Scenario::UsedBeforeDriverOk:
      return "used-before-driver-ok";
    case Scenario::ConfigWithoutGeneration:
      return "config-without-generation";
    case Scenario::UsedIdxJump:
      return "used-idx-jump";
  }
  return "?";
}

bool hostile(Scenario scenario) noexcept { return scenario >= Scenario::BadUsedId; }

std::unique_ptr<virtio::DeviceModel> scenario_model(Scenario scenario, std::unique_ptr<virtio::DeviceModel> model) {
  return std::make_unique<ScenarioModel>(scenario, std::move(model));
}

std::uint32_t DeviceBehaviour::answer(const Access& a, std::uint32_t value) {
  switch (scenario_) {
    case Scenario::BadMagic:
      if (a.offset == m::kMagicValue) return 0;
      break;
    case Scenario::BadVersion:
      if (a.offset == m::kVersion) return 1;
      break;
    case Scenario::DeviceIdZero:
      if (a.offset == m::kDeviceId) return 0;
      break;
    case Scenario::NoVersion1:
      if (a.offset == m::kDeviceFeatures && a.select == 1) return value & ~1u;
      break;
    case Scenario::ConfigWithoutGeneration:
      if (is_config(a)) {
        ++acted_;
        return value ^ (++config_reads_ & 0xffu);
      }
      break;
    default:
      break;
  }
  if (a.offset == m::kInterruptStatus) {
    value |= extra_status_;
    if (scenario_ == Scenario::UndefinedInterruptBits) value |= 0x20;
  }
  return value;
}

// Writes the suppression field the driver must ignore into every live queue's used ring.
void DeviceBehaviour::add_noise() {
  const bool event_idx = (observer_.negotiated() & virtio::kFeatureVersion1Mask) != 0 &&
                         (observer_.negotiated() & virtqueue::feature_bit(virtqueue::kFeatureEventIdx)) != 0;
  for (std::uint32_t q = 0; q < core_.queue_count(); ++q) {
    QueueWatch* w = observer_.queue(q);
    if (w == nullptr || !w->ready || !w->ring) continue;
    if (event_idx) {
      w->ring->store_used_flags(virtqueue::kUsedNoNotify);
    } else {
      w->ring->store_avail_event(w->ring->load_avail_idx(std::memory_order_acquire));
    }
    ++acted_;
  }
}

void DeviceBehaviour::before_read(const Access& a) {
  if (scenario_ == Scenario::SuppressionNoise) add_noise();
  if (scenario_ != Scenario::GenerationFlip || !flips_.empty() || !is_config(a) || a.width != 4 || !last_config_read_)
    return;
  const std::uint32_t field = a.offset - m::kConfig - 4;
  if (*last_config_read_ != field || field % 8 != 0) return;
  // The device changes the field between the driver's two halves (same bytes, new generation).
  const std::vector<std::byte> bytes = core_.config_bytes();
  core_.update_config(field, std::span<const std::byte>(bytes).subspan(field, 8), false);
  flips_.push_back(field);
  ++acted_;
}

void DeviceBehaviour::before_write(const Access& a) {
  if (scenario_ == Scenario::SuppressionNoise) add_noise();
  if (a.offset == m::kInterruptAck) extra_status_ &= ~a.value;
  if (scenario_ == Scenario::UsedBeforeDriverOk && a.offset == m::kQueueReady && a.value == 1 &&
      (observer_.status() & virtio::kStatusDriverOk) == 0) {
    use_before_driver_ok(a.queue);
  }
}

// The queue is about to be enabled, before DRIVER_OK: a used element appears for head 0 and
// the device's side starts after it, so the element stays for the driver to find.
void DeviceBehaviour::use_before_driver_ok(std::uint32_t queue) {
  QueueWatch* w = observer_.queue(queue);
  if (w == nullptr || !w->ring) return;
  try {
    core_.set_queue_start(queue, {0, 1});
  } catch (const std::exception&) {
    return;
  }
  w->ring->store_used_entry(0, {0, 0});
  w->ring->store_used_idx(1, std::memory_order_release);
  ++acted_;
  raise();
}

// The used elements the device published during this access, corrupted as the scenario says.
void DeviceBehaviour::corrupt_published() {
  for (std::uint32_t q = 0; q < core_.queue_count() && acted_ == 0; ++q) {
    QueueWatch* w = observer_.queue(q);
    if (w == nullptr || !w->ready || !w->ring) continue;
    virtqueue::SplitRing& r = *w->ring;
    const std::uint16_t idx = r.load_used_idx(std::memory_order_acquire);
    if (idx == w->used_seen) continue;
    const std::uint16_t last = static_cast<std::uint16_t>(idx - 1) & r.mask();
    virtqueue::UsedElement e = r.load_used_entry(last);
    if (scenario_ == Scenario::BadUsedId) e.id = w->size + 3;
    if (scenario_ == Scenario::UsedLenTooLarge) e.len = 1u << 24;
    r.store_used_entry(last, e);
    if (scenario_ == Scenario::UsedIdxJump)
      r.store_used_idx(static_cast<std::uint16_t>(idx + 2 * w->size + 1), std::memory_order_release);
    ++acted_;
  }
}

void DeviceBehaviour::after(const Access& a) {
  if (is_config(a) && !a.write && a.width == 4)
    last_config_read_ = a.offset - m::kConfig;
  else if (a.offset != m::kConfigGeneration)
    last_config_read_.reset();
  if (scenario_ == Scenario::BadUsedId || scenario_ == Scenario::UsedLenTooLarge ||
      scenario_ == Scenario::UsedIdxJump) {
    corrupt_published();
  }
  if (!a.write || a.offset != m::kQueueNotify) return;
  if (scenario_ == Scenario::SpuriousInterrupts || scenario_ == Scenario::UndefinedInterruptBits) {
    ++acted_;
    raise();
  }
}

void DeviceBehaviour::raise() {
  extra_status_ |= virtio::kInterruptUsedBuffer;
  if (line_ != nullptr) line_->signal();
}

}  // namespace vgen::conform::virtio_checks
