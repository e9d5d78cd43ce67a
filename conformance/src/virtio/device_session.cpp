// The steps of a faithful driver, for device checks.
#include "device_session.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <thread>

#include <vgen/format.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/status.hpp>

#include "harness_features.hpp"
#include "probes.hpp"

namespace vgen::conform::virtio_checks {
namespace {

using namespace std::chrono_literals;

using vgen::hex;

}  // namespace

std::optional<std::string> attempt(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& error) {
    return std::string(error.what());
  }
  return std::nullopt;
}

DeviceSession::DeviceSession(const LinkFactory& factory, std::vector<VirtioProbe> probes,
                             std::optional<virtio::FeatureRules> rules)
    : link_(factory(ram_)), probes_(std::move(probes)), rules_(std::move(rules)) {
  if (probes_.empty()) probes_ = builtin_probes(transport().device_id());
  if (!rules_) rules_ = builtin_rules(transport().device_id());
}

bool DeviceSession::has_answered_probe() const {
  return std::any_of(probes_.begin(), probes_.end(), [](const VirtioProbe& p) { return p.answered; });
}

void DeviceSession::require_probes() const {
  if (!has_answered_probe()) throw StepFailed{skip("no request known that this device answers")};
}

std::uint64_t DeviceSession::offered() {
  return transport().device_features(0) | (std::uint64_t{transport().device_features(1)} << 32);
}

void DeviceSession::reset() {
  transport().set_status(0);
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  while (transport().status() != 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw StepFailed{fail("status reads " + virtio::status_text(transport().status()) + " 1 s after a reset")};
    }
    std::this_thread::sleep_for(1ms);
  }
  rings_.clear();
  features_ = 0;
}

std::uint64_t DeviceSession::start(std::uint64_t wanted) {
  reset();
  transport().set_status(virtio::kStatusAcknowledge);
  transport().set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver);
  const std::uint64_t offer = offered();
  if ((offer & virtio::kFeatureVersion1Mask) == 0)
    throw StepFailed{skip("VIRTIO_F_VERSION_1 is not offered (a legacy device)")};
  std::uint64_t accepted = (wanted & offer & kHarnessFeatures) | virtio::kFeatureVersion1Mask;
  if (rules_) accepted = rules_->prune(accepted);
  transport().set_driver_features(0, static_cast<std::uint32_t>(accepted));
  transport().set_driver_features(1, static_cast<std::uint32_t>(accepted >> 32));
  transport().set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk);
  if ((transport().status() & virtio::kStatusFeaturesOk) == 0) {
    throw StepFailed{fail("FEATURES_OK refused for " + hex(accepted) + ", a subset of the offer " + hex(offer))};
  }
  features_ = accepted;
  return accepted;
}

RingWriter& DeviceSession::setup_queue(std::uint16_t index, std::uint32_t size, bool ready) {
  const std::uint32_t max = transport().queue_max_size(index);
  if (max == 0)
    throw StepFailed{fail("queue " + std::to_string(index) + " is used by a request but QueueNumMax reads 0")};
  if (size == 0) size = 64;
  size = std::min(size, max);
  auto ring = std::make_unique<RingWriter>(ram_.memory, ram_.allocator, size);
  transport().set_queue_size(index, size);
  transport().set_queue_addresses(index, ring->addresses());
  if (ready) transport().set_queue_ready(index, true);
  RingWriter& result = *ring;
  rings_[index] = std::move(ring);
  return result;
}

void DeviceSession::setup_queues(std::uint32_t size) {
  std::set<std::uint16_t> queues;
  for (const VirtioProbe& p : probes_) queues.insert(p.queue);
  for (const std::uint16_t q : queues) setup_queue(q, size);
}

RingWriter& DeviceSession::ring(std::uint16_t index) {
  const auto it = rings_.find(index);
  if (it == rings_.end()) throw StepFailed{fail("harness error: queue " + std::to_string(index) + " was not set up")};
  return *it->second;
}

void DeviceSession::driver_ok() {
  transport().set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk |
                         virtio::kStatusDriverOk);
}

void DeviceSession::bring_up(std::uint64_t wanted) {
  start(wanted);
  setup_queues();
  driver_ok();
}

Part DeviceSession::buffer(std::uint32_t length, bool writable, std::span<const std::byte> fill, std::byte canary) {
  const shm::GuestAddress addr = ram_.allocator.allocate(std::max<std::uint32_t>(length, 1), 8);
  std::byte* host = ram_.memory.translate(addr, length);
  if (fill.empty())
    std::memset(host, std::to_integer<int>(canary), length);
  else
    std::memcpy(host, fill.data(), length);
  return {addr, length, writable};
}

std::uint16_t DeviceSession::attack_queue() const {
  for (const VirtioProbe& p : probes_) {
    if (p.answered && !p.readable.empty()) return p.queue;
  }
  for (const VirtioProbe& p : probes_) {
    if (p.answered) return p.queue;
  }
  throw StepFailed{skip("no request known that this device answers, so no queue to attack")};
}

std::vector<Placed> DeviceSession::place_probes(Layout layout, std::byte canary, bool notify,
                                                std::optional<std::uint16_t> only_queue) {
  std::vector<Placed> placed;
  for (const VirtioProbe& probe : probes_) {
    if (only_queue && probe.queue != *only_queue) continue;
    Placed p;
    p.probe = probe;
    if (!probe.readable.empty()) {
      p.parts.push_back(buffer(static_cast<std::uint32_t>(probe.readable.size()), false, probe.readable, canary));
      p.readable.push_back(probe.readable);
    }
    if (probe.writable != 0) p.parts.push_back(buffer(probe.writable, true, {}, canary));
    p.writable_bytes = probe.writable;
    if (layout == Layout::ChainThenIndirect && p.parts.size() == 1 && p.parts[0].length >= 2) {
      const Part whole = p.parts[0];
      const std::uint32_t half = whole.length / 2;
      p.parts = {{whole.addr, half, whole.writable}, {whole.addr + half, whole.length - half, whole.writable}};
      if (!whole.writable)
        p.readable = {std::vector<std::byte>(probe.readable.begin(), probe.readable.begin() + half),
                      std::vector<std::byte>(probe.readable.begin() + half, probe.readable.end())};
    }
    RingWriter& r = ring(probe.queue);
    p.head = r.add(p.parts, layout);
    r.expose(p.head);
    placed.push_back(std::move(p));
  }
  if (notify) notify_probe_queues();
  return placed;
}

void DeviceSession::notify_probe_queues() {
  std::set<std::uint16_t> done;
  for (const VirtioProbe& p : probes_) {
    if (done.insert(p.queue).second) transport().notify(p.queue);
  }
}

std::optional<virtqueue::UsedElement> DeviceSession::used_of(const Placed& placed) {
  RingWriter& r = ring(placed.probe.queue);
  const std::uint16_t idx = r.used_idx();
  const std::uint32_t count = std::min<std::uint32_t>(idx, r.size());
  for (std::uint32_t i = 0; i < count; ++i) {
    const virtqueue::UsedElement e = r.used(static_cast<std::uint16_t>(idx - 1 - i));
    if (e.id == placed.head) return e;
  }
  return std::nullopt;
}

bool DeviceSession::wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > deadline || !link_->alive()) return false;
    std::this_thread::sleep_for(1ms);
  }
}

bool DeviceSession::wait_answered(const std::vector<Placed>& placed, std::chrono::milliseconds timeout) {
  return wait_for(
      [&] {
        return std::all_of(placed.begin(), placed.end(),
                           [&](const Placed& p) { return !p.probe.answered || used_of(p).has_value(); });
      },
      timeout);
}

std::vector<std::byte> DeviceSession::writable_now(const Placed& placed) {
  std::vector<std::byte> out;
  for (const Part& part : placed.parts) {
    if (!part.writable) continue;
    const std::byte* p = ram_.memory.translate(part.addr, part.length);
    out.insert(out.end(), p, p + part.length);
  }
  return out;
}

bool DeviceSession::needs_reset() { return (transport().status() & virtio::kStatusDeviceNeedsReset) != 0; }

std::string DeviceSession::reaction(const std::optional<std::string>& refusal) {
  if (!link_->alive()) return "closed its end";
  if (refusal) return "refused it (" + *refusal + ")";
  if (needs_reset()) return "set DEVICE_NEEDS_RESET";
  return "ignored it";
}

void DeviceSession::await_reaction(const std::optional<std::string>& refusal) {
  if (refusal) return;
  // A status read fails when the device goes away between alive() and the read: reaction()
  // then finds its end closed.
  wait_for(
      [&] {
        try {
          return !link_->alive() || needs_reset();
        } catch (const std::exception&) {
          return true;
        }
      },
      kQuietPeriod);
}

Verdict DeviceSession::recovered(const std::string& what_happened) {
  if (!link_->alive() && !link_->reconnect())
    return fail(what_happened + "; the device is gone and cannot be reached again");
  try {
    bring_up(~std::uint64_t{0});
    if (!has_answered_probe()) return pass(what_happened + "; initialised again after a reset");
    const std::vector<Placed> placed = place_probes();
    if (!wait_answered(placed)) return fail(what_happened + "; answered nothing after a reset (wedged)");
    return pass(what_happened + "; works again after a reset");
  } catch (const StepFailed& step) {
    return fail(what_happened + "; after a reset: " + step.verdict.reason);
  } catch (const std::exception& error) {
    return fail(what_happened + "; after a reset: " + error.what());
  }
}

}  // namespace vgen::conform::virtio_checks
