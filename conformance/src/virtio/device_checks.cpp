// Faithful checks of a device: the harness follows every driver rule and judges the answers.
#include "device_checks.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

#include <vgen/format.hpp>
#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/mmio_registers.hpp>
#include <vgen/virtio/status.hpp>
#include <vgen/virtqueue/features.hpp>

namespace vgen::conform::virtio_checks {
namespace {

using namespace std::chrono_literals;
using virtqueue::feature_bit;

constexpr std::uint64_t kAll = ~std::uint64_t{0};
constexpr std::uint64_t kEventIdx = feature_bit(virtqueue::kFeatureEventIdx);
constexpr std::uint64_t kIndirect = feature_bit(virtqueue::kFeatureIndirectDesc);
constexpr std::uint64_t kRingReset = feature_bit(virtqueue::kFeatureRingReset);
constexpr std::uint64_t kInOrder = feature_bit(virtqueue::kFeatureInOrder);

using vgen::hex;

DeviceCheck check(std::string id, std::vector<std::string> requirements, std::string summary,
                  std::function<Verdict(DeviceSession&)> run) {
  return {{std::move(id), std::move(requirements), Mode::Faithful, std::move(summary)}, std::move(run)};
}

void require_registers(DeviceSession& s, const char* what) {
  if (!s.link().device_registers()) throw StepFailed{skip(std::string("the transport has no ") + what + " register")};
}

void require_feature(DeviceSession& s, std::uint64_t mask, const char* name) {
  if ((s.offered() & mask) == 0) throw StepFailed{skip(std::string(name) + " is not offered")};
}

// Clears pending interrupt state: acknowledges every bit and consumes the line.
void drain_interrupts(DeviceSession& s) {
  const std::uint32_t bits = s.transport().interrupt_status() & virtio::kInterruptDefinedBits;
  if (bits != 0) s.transport().acknowledge_interrupt(bits);
  s.transport().interrupt().wait(0ms);
}

bool used_interrupt_seen(DeviceSession& s, std::chrono::milliseconds within) {
  if ((s.transport().interrupt_status() & virtio::kInterruptUsedBuffer) != 0) return true;
  return s.transport().interrupt().wait(within) &&
         (!s.link().device_registers() || (s.transport().interrupt_status() & virtio::kInterruptUsedBuffer) != 0);
}

std::uint16_t total_used(DeviceSession& s) {
  std::uint16_t sum = 0;
  std::vector<std::uint16_t> seen;
  for (const VirtioProbe& p : s.probes()) {
    if (std::find(seen.begin(), seen.end(), p.queue) != seen.end()) continue;
    seen.push_back(p.queue);
    sum = static_cast<std::uint16_t>(sum + s.ring(p.queue).used_idx());
  }
  return sum;
}

// Runs every probe once after bring-up; FAIL when an answered probe is not used.
std::vector<Placed> run_probes(DeviceSession& s, Layout layout = Layout::Direct, std::byte canary = std::byte{0xa5}) {
  std::vector<Placed> placed = s.place_probes(layout, canary);
  if (!s.wait_answered(placed)) throw StepFailed{fail("an answered request got no used buffer within 2 s")};
  return placed;
}

// --- §6, §2.2.2: the offer ------------------------------------------------------------------

Verdict offers_version_1(DeviceSession& s) {
  s.reset();
  s.transport().set_status(virtio::kStatusAcknowledge);
  s.transport().set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver);
  const std::uint64_t offer = s.offered();
  if ((offer & virtio::kFeatureVersion1Mask) == 0)
    return fail("VIRTIO_F_VERSION_1 is not offered (" + hex(offer) + ")");
  return pass("offers " + hex(offer) + ", VIRTIO_F_VERSION_1 included");
}

Verdict offer_dependencies(DeviceSession& s) {
  if (!s.rules() || s.rules()->dependencies().empty())
    return skip("no feature dependencies are known for this device type");
  const std::uint64_t offer = s.offered();
  if (const auto broken = s.rules()->violation(offer)) return fail("offer " + hex(offer) + ": " + *broken);
  return pass("offer " + hex(offer) + " satisfies " + std::to_string(s.rules()->dependencies().size()) +
              " dependencies");
}

// Writes `accepted` and FEATURES_OK after ACKNOWLEDGE | DRIVER; true when FEATURES_OK stuck.
bool features_ok_kept(DeviceSession& s, std::uint64_t accepted) {
  s.reset();
  s.transport().set_status(virtio::kStatusAcknowledge);
  s.transport().set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver);
  s.offered();
  s.transport().set_driver_features(0, static_cast<std::uint32_t>(accepted));
  s.transport().set_driver_features(1, static_cast<std::uint32_t>(accepted >> 32));
  if (attempt([&] {
        s.transport().set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk);
      })) {
    return false;
  }
  if (!s.link().alive()) return false;
  return (s.transport().status() & virtio::kStatusFeaturesOk) != 0;
}

Verdict refuses_unoffered_feature(DeviceSession& s) {
  const std::uint64_t offer = s.offered();
  unsigned bit = 0;
  while (bit < 24 && (offer & feature_bit(bit)) != 0) ++bit;
  if (bit == 24) return skip("every device-type bit 0..23 is offered");
  const std::uint64_t accepted = offer | feature_bit(bit);
  if (features_ok_kept(s, accepted))
    return fail("kept FEATURES_OK for " + hex(accepted) + ", which holds unoffered bit " + std::to_string(bit));
  return pass("left FEATURES_OK clear for a set holding unoffered bit " + std::to_string(bit));
}

Verdict refuses_broken_dependency(DeviceSession& s) {
  if (!s.rules() || s.rules()->dependencies().empty())
    return skip("no feature dependencies are known for this device type");
  const std::uint64_t offer = s.offered();
  for (const virtio::FeatureDependency& d : s.rules()->dependencies()) {
    if ((offer & feature_bit(d.feature)) == 0 || (offer & feature_bit(d.required)) == 0) continue;
    const std::uint64_t accepted = (offer & ~feature_bit(d.required)) | feature_bit(d.feature);
    if (features_ok_kept(s, accepted)) {
      return fail("kept FEATURES_OK with bit " + std::to_string(d.feature) + " but not bit " +
                  std::to_string(d.required) + " it requires");
    }
    return pass("left FEATURES_OK clear for bit " + std::to_string(d.feature) + " without bit " +
                std::to_string(d.required));
  }
  return skip("no offered feature requires another offered feature");
}

// --- §2.5.2: configuration before FEATURES_OK ------------------------------------------------

Verdict config_readable_before_features_ok(DeviceSession& s) {
  s.reset();
  s.transport().set_status(virtio::kStatusAcknowledge);
  s.transport().set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver);
  const std::vector<std::byte> early = read_config_space(s.transport());
  if (early.empty()) {
    s.start(kAll);
    if (!read_config_space(s.transport()).empty()) return fail("configuration space readable only after FEATURES_OK");
    return skip("the device has no configuration space");
  }
  std::size_t words = 0;
  for (std::uint32_t off = 0; off + 4 <= early.size(); off += 4, ++words) {
    if (const auto refused = attempt([&] { s.transport().read_config(off, 4); })) {
      return fail("4-byte read at offset " + std::to_string(off) + " refused before FEATURES_OK: " + *refused);
    }
  }
  return pass(std::to_string(early.size()) + " bytes readable before FEATURES_OK (1-byte and " + std::to_string(words) +
              " 4-byte reads)");
}

// --- §2.1.2: nothing before DRIVER_OK -------------------------------------------------------

struct EarlyUse {
  std::uint16_t used = 0;
  std::uint32_t interrupt = 0;
  bool answered_later = false;
};

EarlyUse before_driver_ok(DeviceSession& s) {
  if (s.probes().empty()) throw StepFailed{skip("no request known for this device")};
  s.start(kAll);
  s.setup_queues();
  drain_interrupts(s);
  const std::vector<Placed> placed = s.place_probes(Layout::Direct, std::byte{0xa5}, false);
  std::this_thread::sleep_for(DeviceSession::kQuietPeriod);
  EarlyUse seen;
  seen.used = total_used(s);
  seen.interrupt = s.link().device_registers() ? s.transport().interrupt_status() : 0;
  if (s.transport().interrupt().wait(0ms)) seen.interrupt |= virtio::kInterruptUsedBuffer;
  s.driver_ok();
  s.notify_probe_queues();
  seen.answered_later = s.has_answered_probe() && s.wait_answered(placed);
  return seen;
}

Verdict no_use_before_driver_ok(DeviceSession& s) {
  const EarlyUse seen = before_driver_ok(s);
  if (seen.used != 0) return fail("used " + std::to_string(seen.used) + " buffers before DRIVER_OK");
  if (!seen.answered_later) return pass("used no buffer before DRIVER_OK (and none after either)");
  return pass("used no buffer in " + std::to_string(DeviceSession::kQuietPeriod.count()) +
              " ms before DRIVER_OK, answered after it");
}

Verdict no_interrupt_before_driver_ok(DeviceSession& s) {
  const EarlyUse seen = before_driver_ok(s);
  if (seen.interrupt != 0) return fail("raised interrupt " + hex(seen.interrupt) + " before DRIVER_OK");
  return pass("sent no notification before DRIVER_OK");
}

// --- §2.4.1, §4.2.2.1: reset -----------------------------------------------------------------

Verdict reset_status_zero(DeviceSession& s) {
  require_registers(s, "status");
  s.bring_up(kAll);
  if (s.has_answered_probe()) run_probes(s);
  s.transport().set_status(0);
  const std::uint8_t status = s.transport().status();
  if (status != 0) return fail("status reads " + virtio::status_text(status) + " right after the reset");
  return pass("status reads 0 after a reset of a live device");
}

Verdict quiet_after_reset(DeviceSession& s) {
  s.require_probes();
  s.bring_up(kAll);
  run_probes(s);
  std::map<std::uint16_t, std::uint16_t> used_before;
  for (const VirtioProbe& p : s.probes()) used_before[p.queue] = s.ring(p.queue).used_idx();
  s.transport().set_status(0);
  drain_interrupts(s);
  s.place_probes(Layout::Direct, std::byte{0xa5}, false);
  std::this_thread::sleep_for(DeviceSession::kQuietPeriod);
  for (const auto& [queue, before] : used_before) {
    if (s.ring(queue).used_idx() != before)
      return fail("used buffers of queue " + std::to_string(queue) + " after the reset");
  }
  if (s.transport().interrupt().wait(0ms)) return fail("signalled an interrupt after the reset");
  return pass("touched no queue and sent no notification in " + std::to_string(DeviceSession::kQuietPeriod.count()) +
              " ms after a reset");
}

Verdict reset_clears_registers(DeviceSession& s) {
  require_registers(s, "InterruptStatus or QueueReady");
  s.require_probes();
  s.bring_up(kAll);
  run_probes(s);
  s.transport().set_status(0);
  if (const std::uint32_t bits = s.transport().interrupt_status(); bits != 0) {
    return fail("InterruptStatus reads " + hex(bits) + " after the reset");
  }
  for (const VirtioProbe& p : s.probes()) {
    if (s.transport().queue_ready(p.queue))
      return fail("QueueReady of queue " + std::to_string(p.queue) + " reads 1 after the reset");
  }
  return pass("InterruptStatus and QueueReady read 0 after a reset with an interrupt pending");
}

Verdict needs_reset_notifies(DeviceSession& s) {
  require_registers(s, "status");
  if (s.probes().empty()) return skip("no request known for this device");
  s.bring_up(kAll);
  drain_interrupts(s);
  const std::uint16_t q = s.attack_queue();
  RingWriter& r = s.ring(q);
  const shm::GuestAddress buffer = s.ram().allocator.allocate(64, 8);
  const std::uint16_t a = static_cast<std::uint16_t>(r.next_free() % r.size());
  const std::uint16_t b = static_cast<std::uint16_t>((a + 1) % r.size());
  r.put(a, {buffer, 16, virtqueue::kDescNext, b});
  r.put(b, {buffer + 16, 16, virtqueue::kDescNext, a});
  r.expose(a);
  attempt([&] { s.transport().notify(q); });
  std::this_thread::sleep_for(DeviceSession::kQuietPeriod);
  if (!s.needs_reset()) return skip("the device did not set DEVICE_NEEDS_RESET for a looping chain");
  if ((s.transport().interrupt_status() & virtio::kInterruptConfigChange) == 0) {
    return fail("set DEVICE_NEEDS_RESET with DRIVER_OK set but sent no configuration change notification");
  }
  return pass("set DEVICE_NEEDS_RESET and sent a configuration change notification");
}

// --- §2.7.5.1, §2.7.8.1: what the device writes ----------------------------------------------

Verdict used_elements_valid(DeviceSession& s) {
  s.require_probes();
  s.bring_up(kAll);
  const std::vector<Placed> placed = run_probes(s);
  for (const Placed& p : placed) {
    const auto used = s.used_of(p);
    if (!used) continue;
    if (used->len > p.writable_bytes) {
      return fail("queue " + std::to_string(p.probe.queue) + ": used len " + std::to_string(used->len) +
                  " beyond the " + std::to_string(p.writable_bytes) + " writable bytes offered");
    }
  }
  std::map<std::uint16_t, std::uint16_t> exposed;
  for (const Placed& p : placed) ++exposed[p.probe.queue];
  for (const auto& entry : exposed) {
    const std::uint16_t queue = entry.first;
    const std::uint16_t count = entry.second;
    RingWriter& r = s.ring(queue);
    if (r.used_idx() > count)
      return fail("queue " + std::to_string(queue) + ": used idx " + std::to_string(r.used_idx()) + " passes the " +
                  std::to_string(count) + " chains made available");
    for (std::uint16_t i = 0; i < r.used_idx(); ++i) {
      const auto e = r.used(i);
      const bool known = std::any_of(placed.begin(), placed.end(),
                                     [&](const Placed& p) { return p.probe.queue == queue && p.head == e.id; });
      if (!known)
        return fail("queue " + std::to_string(queue) + ": used id " + std::to_string(e.id) +
                    " is no head made available");
    }
  }
  return pass("every used element names a head made available and a len within its writable bytes");
}

Verdict used_len_written(DeviceSession& s) {
  s.require_probes();
  s.bring_up(kAll);
  const std::vector<Placed> first = run_probes(s, Layout::Direct, std::byte{0xa5});
  std::vector<std::vector<std::byte>> first_bytes;
  for (const Placed& p : first) first_bytes.push_back(s.writable_now(p));
  s.bring_up(kAll);
  const std::vector<Placed> second = run_probes(s, Layout::Direct, std::byte{0x5a});
  for (std::size_t i = 0; i < second.size(); ++i) {
    const auto u1 = s.used_of(first[i]);
    const auto u2 = s.used_of(second[i]);
    if (!u1 || !u2) continue;
    const std::vector<std::byte> now = s.writable_now(second[i]);
    const std::uint32_t len = std::min({u1->len, u2->len, static_cast<std::uint32_t>(now.size())});
    std::uint32_t untouched = 0;
    for (std::uint32_t b = 0; b < len; ++b) {
      if (first_bytes[i][b] == std::byte{0xa5} && now[b] == std::byte{0x5a}) ++untouched;
    }
    if (untouched > len / 64 + 1) {
      return fail("queue " + std::to_string(second[i].probe.queue) + ": " + std::to_string(untouched) + " of the " +
                  std::to_string(len) + " bytes within used len still hold the harness's fill in both passes");
    }
  }
  return pass("the first len bytes of every used buffer were written (two passes, two fill patterns)");
}

Verdict no_write_readable(DeviceSession& s) {
  s.require_probes();
  s.bring_up(kAll);
  const std::vector<Placed> placed = run_probes(s);
  std::size_t checked = 0;
  for (const Placed& p : placed) {
    std::size_t r = 0;
    for (const Part& part : p.parts) {
      if (part.writable) continue;
      const std::byte* now = s.ram().memory.translate(part.addr, part.length);
      if (std::memcmp(now, p.readable[r].data(), part.length) != 0) {
        return fail("queue " + std::to_string(p.probe.queue) + ": wrote into a device-readable buffer");
      }
      ++r;
      ++checked;
    }
  }
  if (checked == 0) return skip("no request with device-readable bytes is known for this device");
  return pass(std::to_string(checked) + " device-readable buffers unchanged after use");
}

Verdict no_write_descriptors(DeviceSession& s) {
  s.require_probes();
  s.bring_up(kAll);
  std::map<std::uint16_t, std::vector<std::byte>> before;
  const std::vector<Placed> placed = s.place_probes(Layout::Direct, std::byte{0xa5}, false);
  for (const VirtioProbe& p : s.probes()) before[p.queue] = s.ring(p.queue).table_bytes();
  s.notify_probe_queues();
  if (!s.wait_answered(placed)) return fail("an answered request got no used buffer within 2 s");
  for (const auto& [queue, bytes] : before) {
    if (s.ring(queue).table_bytes() != bytes)
      return fail("queue " + std::to_string(queue) + ": the descriptor table changed while the device used it");
  }
  return pass("descriptor tables unchanged after use");
}

// --- §2.7.4.1, §2.7.5.3.2: descriptor arrangements ------------------------------------------

Verdict same_answers(DeviceSession& s, Layout layout, const char* name) {
  s.require_probes();
  s.bring_up(kAll);
  const std::vector<Placed> plain = run_probes(s);
  std::vector<std::uint32_t> lens;
  for (const Placed& p : plain) lens.push_back(s.used_of(p) ? s.used_of(p)->len : 0xffffffffu);
  s.bring_up(kAll);
  const std::vector<Placed> other = s.place_probes(layout);
  if (!s.wait_answered(other)) return fail(std::string("answered nothing for requests laid out as ") + name);
  if (s.needs_reset()) return fail(std::string("set DEVICE_NEEDS_RESET for requests laid out as ") + name);
  for (std::size_t i = 0; i < other.size(); ++i) {
    const auto used = s.used_of(other[i]);
    if (!other[i].probe.answered || !used) continue;
    if (used->len != lens[i]) {
      return fail(std::string("used len ") + std::to_string(used->len) + " laid out as " + name + ", " +
                  std::to_string(lens[i]) + " laid out plainly");
    }
  }
  return pass(std::string("same answers for requests laid out plainly and as ") + name);
}

Verdict any_descriptor_layout(DeviceSession& s) {
  const Verdict fragmented = same_answers(s, Layout::Fragmented, "each buffer cut into 4 descriptors");
  if (fragmented.outcome != Outcome::Pass || (s.features() & kIndirect) == 0) return fragmented;
  return same_answers(s, Layout::Indirect, "an indirect table");
}

Verdict indirect_write_flag_ignored(DeviceSession& s) {
  require_feature(s, kIndirect, "VIRTIO_F_INDIRECT_DESC");
  return same_answers(s, Layout::IndirectWriteFlag, "an indirect table whose descriptor has WRITE set");
}

Verdict chain_then_indirect(DeviceSession& s) {
  require_feature(s, kIndirect, "VIRTIO_F_INDIRECT_DESC");
  return same_answers(s, Layout::ChainThenIndirect, "a direct descriptor followed by an indirect one");
}

// --- §2.7.7.2, §2.7.10.2: notification suppression -------------------------------------------

Verdict notify_without_event_idx(DeviceSession& s) {
  s.require_probes();
  s.start(kAll & ~kEventIdx);
  s.setup_queues();
  for (const VirtioProbe& p : s.probes()) {
    s.ring(p.queue).set_avail_flags(0);
    s.ring(p.queue).set_used_event(0x8000);  // must be ignored without EVENT_IDX
  }
  s.driver_ok();
  drain_interrupts(s);
  run_probes(s);
  if (!used_interrupt_seen(s, 500ms))
    return fail("no used buffer notification although avail flags were 0 (used_event must be ignored)");
  return pass("notified with avail flags 0 and a used_event that would have suppressed it");
}

Verdict notify_with_event_idx(DeviceSession& s) {
  s.require_probes();
  require_feature(s, kEventIdx, "VIRTIO_F_EVENT_IDX");
  s.start(kAll);
  s.setup_queues();
  for (const VirtioProbe& p : s.probes()) {
    s.ring(p.queue).set_avail_flags(1);  // the low bit must be ignored with EVENT_IDX
    s.ring(p.queue).set_used_event(0);
  }
  s.driver_ok();
  drain_interrupts(s);
  run_probes(s);
  if (!used_interrupt_seen(s, 500ms))
    return fail("no used buffer notification although the used idx passed used_event 0");
  return pass("notified when the used idx passed used_event, with avail flags 1 ignored");
}

Verdict used_flags_valid(DeviceSession& s) {
  s.require_probes();
  const bool event_idx_offered = (s.offered() & kEventIdx) != 0;
  for (const bool event_idx : {false, true}) {
    if (event_idx && !event_idx_offered) break;
    s.start(event_idx ? kAll : kAll & ~kEventIdx);
    s.setup_queues();
    s.driver_ok();
    run_probes(s);
    for (const VirtioProbe& p : s.probes()) {
      const std::uint16_t flags = s.ring(p.queue).used_flags();
      if (event_idx ? flags != 0 : flags > 1) {
        return fail("used flags " + std::to_string(flags) + (event_idx ? " with" : " without") + " VIRTIO_F_EVENT_IDX");
      }
    }
  }
  return pass(event_idx_offered ? "used flags valid with and without VIRTIO_F_EVENT_IDX"
                                : "used flags 0 or 1 without VIRTIO_F_EVENT_IDX");
}

Verdict spurious_notifications(DeviceSession& s) {
  s.require_probes();
  s.bring_up(kAll);
  for (int i = 0; i < 50; ++i) s.notify_probe_queues();
  if (!s.link().alive()) return fail("the device went away after 50 notifications with nothing available");
  run_probes(s);
  return pass("50 notifications with nothing available, then answered normally");
}

// --- §4.2.2.1: virtio-mmio registers ---------------------------------------------------------

Verdict mmio_register(DeviceSession& s, std::uint32_t offset, std::uint32_t expected, const char* name) {
  virtio::MmioBus* bus = s.link().bus();
  if (bus == nullptr) return skip("the transport has no register window");
  const virtio::AccessResult r = bus->read(offset, 4);
  if (r.fault != virtio::AccessFault::None)
    return fail(std::string(name) + " read faulted: " + virtio::to_string(r.fault));
  if (r.value != expected) return fail(std::string(name) + " reads " + hex(r.value) + ", not " + hex(expected));
  return pass(std::string(name) + " reads " + hex(expected));
}

Verdict interrupt_status_latched(DeviceSession& s) {
  require_registers(s, "InterruptStatus");
  s.require_probes();
  s.bring_up(kAll);
  drain_interrupts(s);
  run_probes(s);
  std::this_thread::sleep_for(20ms);
  const std::uint32_t first = s.transport().interrupt_status();
  const std::uint32_t second = s.transport().interrupt_status();
  if ((first & virtio::kInterruptUsedBuffer) == 0)
    return fail("InterruptStatus does not show the used buffer event (" + hex(first) + ")");
  if ((second & virtio::kInterruptUsedBuffer) == 0)
    return fail("the used buffer bit cleared without an acknowledgement");
  if ((first & ~virtio::kInterruptDefinedBits) != 0) return fail("undefined InterruptStatus bits set: " + hex(first));
  s.transport().acknowledge_interrupt(virtio::kInterruptUsedBuffer);
  if ((s.transport().interrupt_status() & virtio::kInterruptUsedBuffer) != 0)
    return fail("the used buffer bit stays after InterruptACK");
  return pass("the used buffer bit stays until acknowledged; undefined bits read 0");
}

Verdict config_generation_moves(DeviceSession& s) {
  require_registers(s, "ConfigGeneration");
  s.bring_up(kAll);
  const std::uint32_t g1 = s.transport().config_generation();
  const std::vector<std::byte> c1 = read_config_space(s.transport());
  if (c1.empty()) return skip("the device has no configuration space");
  if (s.has_answered_probe()) run_probes(s);
  std::this_thread::sleep_for(20ms);
  const std::uint32_t g2 = s.transport().config_generation();
  const std::vector<std::byte> c2 = read_config_space(s.transport());
  if (c1 == c2) return skip("the configuration did not change while the check watched it");
  if (g1 == g2) return fail("the configuration changed but ConfigGeneration stayed " + std::to_string(g1));
  return pass("the configuration changed and ConfigGeneration moved from " + std::to_string(g1) + " to " +
              std::to_string(g2));
}

Verdict no_access_unready_queue(DeviceSession& s) {
  require_registers(s, "QueueReady");
  s.require_probes();
  s.start(kAll);
  for (const VirtioProbe& p : s.probes()) {
    if (!s.transport().queue_ready(p.queue)) s.setup_queue(p.queue, 0, false);
  }
  s.driver_ok();
  drain_interrupts(s);
  s.place_probes(Layout::Direct, std::byte{0xa5}, false);
  for (const VirtioProbe& p : s.probes()) attempt([&] { s.transport().notify(p.queue); });
  std::this_thread::sleep_for(DeviceSession::kQuietPeriod);
  if (const std::uint16_t used = total_used(s); used != 0)
    return fail("used " + std::to_string(used) + " buffers of queues whose QueueReady is 0");
  return pass("touched no queue whose QueueReady is 0, notified or not");
}

// --- §2.6.1, §4.2.2.1: virtqueue reset -------------------------------------------------------

struct QueueResetFacts {
  bool ready_after = true;
  std::uint16_t used_after_reset = 0;
  std::uint16_t new_used_idx = 0;
  bool answered_after = false;
  std::uint32_t new_size = 0;
};

QueueResetFacts queue_reset(DeviceSession& s) {
  s.require_probes();
  require_feature(s, kRingReset, "VIRTIO_F_RING_RESET");
  require_registers(s, "QueueReset");
  s.bring_up(kAll);
  run_probes(s);
  const std::uint16_t q = s.attack_queue();
  const std::uint16_t used_before = s.ring(q).used_idx();
  s.transport().reset_queue(q);
  QueueResetFacts facts;
  facts.ready_after = s.transport().queue_ready(q);
  s.place_probes(Layout::Direct, std::byte{0xa5}, false, q);
  std::this_thread::sleep_for(DeviceSession::kQuietPeriod);
  facts.used_after_reset = static_cast<std::uint16_t>(s.ring(q).used_idx() - used_before);
  facts.new_size = std::max<std::uint32_t>(1, s.ring(q).size() / 2);
  s.setup_queue(q, facts.new_size);
  const std::vector<Placed> placed = s.place_probes();
  facts.answered_after = s.wait_answered(placed);
  facts.new_used_idx = s.ring(q).used_idx();
  return facts;
}

Verdict queue_reset_stops(DeviceSession& s) {
  const QueueResetFacts f = queue_reset(s);
  if (f.ready_after) return fail("QueueReady reads 1 after the queue reset completed");
  if (f.used_after_reset != 0)
    return fail("used " + std::to_string(f.used_after_reset) + " buffers of the queue after its reset");
  return pass("QueueReset and QueueReady read 0 once done; nothing used from the reset queue");
}

Verdict queue_reset_state(DeviceSession& s) {
  const QueueResetFacts f = queue_reset(s);
  if (!f.answered_after) return fail("answered nothing on the queue enabled again after its reset");
  if (f.new_used_idx == 0 || f.new_used_idx > s.probes().size()) {
    return fail("the re-enabled queue's used idx is " + std::to_string(f.new_used_idx) + ": its old state was kept");
  }
  return pass("the re-enabled queue started from avail and used index 0");
}

Verdict queue_reenable_config(DeviceSession& s) {
  const QueueResetFacts f = queue_reset(s);
  if (!f.answered_after)
    return fail("answered nothing after the queue was enabled again with " + std::to_string(f.new_size) + " entries");
  return pass("worked with the queue enabled again at " + std::to_string(f.new_size) + " entries and new rings");
}

// §4.2.2.1: with VIRTIO_F_RING_RESET, QueueReset reads 0 after a device reset and after the
// queue is enabled.
Verdict queue_reset_register(DeviceSession& s) {
  virtio::MmioBus* bus = s.link().bus();
  if (bus == nullptr) return skip("the transport has no register window");
  require_feature(s, kRingReset, "VIRTIO_F_RING_RESET");
  s.require_probes();
  s.start(kAll);
  const std::uint16_t q = s.attack_queue();
  auto reset_register = [&] {
    bus->write(virtio::mmio::kQueueSel, 4, q);
    return bus->read(virtio::mmio::kQueueReset, 4);
  };
  const virtio::AccessResult after_reset = reset_register();
  if (after_reset.fault != virtio::AccessFault::None)
    return fail(std::string("QueueReset read faulted: ") + virtio::to_string(after_reset.fault));
  if (after_reset.value != 0)
    return fail("QueueReset reads " + std::to_string(after_reset.value) + " after a device reset");
  s.setup_queues();
  s.driver_ok();
  const virtio::AccessResult after_enable = reset_register();
  if (after_enable.value != 0)
    return fail("QueueReset reads " + std::to_string(after_enable.value) + " after the queue was enabled");
  return pass("QueueReset reads 0 after a device reset and after the queue was enabled");
}

// --- §6: IN_ORDER ----------------------------------------------------------------------------

Verdict in_order_use(DeviceSession& s) {
  s.require_probes();
  require_feature(s, kInOrder, "VIRTIO_F_IN_ORDER");
  s.bring_up(kAll);
  std::vector<Placed> all;
  for (int round = 0; round < 3; ++round) {
    for (Placed& p : s.place_probes(Layout::Direct, std::byte{0xa5}, false)) all.push_back(std::move(p));
  }
  s.notify_probe_queues();
  if (!s.wait_answered(all)) return fail("an answered request got no used buffer within 2 s");
  for (const VirtioProbe& probe : s.probes()) {
    RingWriter& r = s.ring(probe.queue);
    std::vector<std::uint16_t> expected;
    for (const Placed& p : all) {
      if (p.probe.queue == probe.queue) expected.push_back(p.head);
    }
    for (std::uint16_t i = 0; i < r.used_idx() && i < expected.size(); ++i) {
      if (r.used(i).id != expected[i])
        return fail("queue " + std::to_string(probe.queue) + ": used id " + std::to_string(r.used(i).id) +
                    " out of order");
    }
  }
  return pass("buffers used in the order they were made available");
}

std::vector<DeviceCheck> make_faithful() {
  return {
      check("device.offers-version-1", {"virtio/6/device-offers-version-1"}, "VIRTIO_F_VERSION_1 is offered",
            offers_version_1),
      check("device.offer-dependencies", {"virtio/2.2.2/offer-dependencies"},
            "no offered feature lacks a feature it requires", offer_dependencies),
      check("device.refuses-unoffered-feature", {"virtio/2.2.2/refuse-unacceptable-features"},
            "FEATURES_OK stays clear for a set with an unoffered bit", refuses_unoffered_feature),
      check("device.refuses-broken-dependency", {"virtio/2.2.2/refuse-unacceptable-features"},
            "FEATURES_OK stays clear for a set breaking a dependency", refuses_broken_dependency),
      check("device.config-readable-before-features-ok", {"virtio/2.5.2/config-readable-before-features-ok"},
            "configuration space reads before FEATURES_OK", config_readable_before_features_ok),
      check("device.no-use-before-driver-ok", {"virtio/2.1.2/no-use-before-driver-ok"},
            "buffers available before DRIVER_OK stay unused", no_use_before_driver_ok),
      check("device.no-interrupt-before-driver-ok", {"virtio/2.1.2/no-notify-before-driver-ok"},
            "no used buffer notification before DRIVER_OK", no_interrupt_before_driver_ok),
      check("device.reset-status-zero", {"virtio/2.4.1/status-zero-after-reset"}, "status reads 0 after a reset",
            reset_status_zero),
      check("device.quiet-after-reset", {"virtio/2.4.1/quiet-after-reset"},
            "no queue access or notification after a reset", quiet_after_reset),
      check("device.reset-clears-registers", {"virtio/4.2.2.1/reset-clears-interrupt-and-ready"},
            "InterruptStatus and QueueReady read 0 after a reset", reset_clears_registers),
      check("device.needs-reset-notifies", {"virtio/2.1.2/needs-reset-config-notification"},
            "DEVICE_NEEDS_RESET comes with a configuration change notification", needs_reset_notifies),
      check("device.used-elements-valid",
            {"virtio/2.7.8/used-id-is-head", "virtio/2.7.8/used-idx-within-queue-size",
             "virtio/2.7.8.1/writes-len-bytes"},
            "used ids are heads made available, lens within the writable bytes", used_elements_valid),
      check("device.used-len-written", {"virtio/2.7.8.1/writes-len-bytes"},
            "the first len bytes of a used buffer were written", used_len_written),
      check("device.no-write-readable", {"virtio/2.7.5.1/no-write-readable"}, "device-readable buffers unchanged",
            no_write_readable),
      check("device.no-write-descriptors", {"virtio/2.7.5.1/no-write-descriptor-table"}, "descriptor table unchanged",
            no_write_descriptors),
      check("device.any-descriptor-layout", {"virtio/2.7.4.1/any-descriptor-layout"},
            "same answers however requests are cut into descriptors", any_descriptor_layout),
      check("device.indirect-write-flag-ignored", {"virtio/2.7.5.3.2/ignore-write-on-indirect"},
            "WRITE on an indirect descriptor is ignored", indirect_write_flag_ignored),
      check("device.chain-then-indirect", {"virtio/2.7.5.3.2/chain-then-indirect"},
            "direct descriptors followed by an indirect one", chain_then_indirect),
      check("device.notify-without-event-idx",
            {"virtio/2.7.7.2/notify-when-flags-zero", "virtio/2.7.7.2/ignore-used-event"},
            "notifies with avail flags 0, ignoring used_event", notify_without_event_idx),
      check("device.notify-with-event-idx",
            {"virtio/2.7.7.2/notify-at-used-event", "virtio/2.7.7.2/ignore-flags-with-event-idx"},
            "notifies at used_event, ignoring avail flags", notify_with_event_idx),
      check("device.used-flags-valid", {"virtio/2.7.10.2/used-flags-values"}, "used flags 0 or 1, 0 with EVENT_IDX",
            used_flags_valid),
      check("device.spurious-notifications", {"virtio/2.7.10.2/spurious-notifications"},
            "survives notifications with nothing available", spurious_notifications),
      check("device.mmio-magic", {"virtio/4.2.2.1/magic-value"}, "MagicValue reads 0x74726976",
            [](DeviceSession& s) {
              return mmio_register(s, virtio::mmio::kMagicValue, virtio::mmio::kMagic, "MagicValue");
            }),
      check("device.mmio-version", {"virtio/4.2.2.1/version"}, "Version reads 2",
            [](DeviceSession& s) {
              return mmio_register(s, virtio::mmio::kVersion, virtio::mmio::kDeviceVersion, "Version");
            }),
      check("device.interrupt-status-latched",
            {"virtio/4.2.2.1/interrupt-status-latched", "virtio/4.2.2.1/interrupt-undefined-bits-zero"},
            "InterruptStatus bits stay until acknowledged", interrupt_status_latched),
      check("device.config-generation", {"virtio/4.2.2.1/config-generation"},
            "a changed configuration comes with a new generation", config_generation_moves),
      check("device.no-access-unready-queue", {"virtio/4.2.2.1/no-access-when-not-ready"},
            "queues with QueueReady 0 are left alone", no_access_unready_queue),
      check("device.queue-reset-stops",
            {"virtio/2.6.1.1.1/no-use-after-queue-reset", "virtio/4.2.2.1/queue-reset-zero-when-complete"},
            "a reset queue is neither used nor notified", queue_reset_stops),
      check("device.queue-reset-state", {"virtio/2.6.1.1.1/queue-state-reset"},
            "a reset queue starts again from index 0", queue_reset_state),
      check("device.queue-reenable-config", {"virtio/2.6.1.2.1/observe-new-config"},
            "a re-enabled queue uses its new size and rings", queue_reenable_config),
      check("device.mmio-queue-reset-register",
            {"virtio/4.2.2.1/queue-reset-zero-on-reset", "virtio/4.2.2.1/queue-reset-zero-after-enable"},
            "QueueReset reads 0 after a reset and after enabling", queue_reset_register),
      check("device.in-order", {"virtio/6/in-order-use"}, "with IN_ORDER, buffers are used in order", in_order_use),
  };
}

}  // namespace

std::vector<std::byte> read_config_space(virtio::Transport& transport) {
  std::vector<std::byte> bytes;
  for (std::uint32_t off = 0; off < 256; ++off) {
    std::uint32_t value = 0;
    if (attempt([&] { value = transport.read_config(off, 1); })) break;
    bytes.push_back(static_cast<std::byte>(value));
  }
  return bytes;
}

const std::vector<DeviceCheck>& faithful_device_checks() {
  static const std::vector<DeviceCheck> checks = make_faithful();
  return checks;
}

}  // namespace vgen::conform::virtio_checks
