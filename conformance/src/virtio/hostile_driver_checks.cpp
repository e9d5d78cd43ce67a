// Hostile checks of a device: the harness breaks one driver rule per check, then judges
// whether the device rejected the input, stayed alive and works again after a reset.

#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/mmio_registers.hpp>
#include <vgen/virtio/status.hpp>
#include <vgen/virtqueue/features.hpp>

#include "device_checks.hpp"

namespace vgen::conform::virtio_checks {
namespace {

using virtqueue::Descriptor;
using virtqueue::feature_bit;
using virtqueue::kDescIndirect;
using virtqueue::kDescNext;
using virtqueue::kDescWrite;

constexpr std::uint64_t kAll = ~std::uint64_t{0};
constexpr std::uint64_t kIndirect = feature_bit(virtqueue::kFeatureIndirectDesc);
constexpr std::uint8_t kUpToDriver = virtio::kStatusAcknowledge | virtio::kStatusDriver;
constexpr std::uint8_t kUpToFeaturesOk = kUpToDriver | virtio::kStatusFeaturesOk;

DeviceCheck hostile(std::string id, std::vector<std::string> requirements, std::string summary,
                    std::function<std::optional<std::string>(DeviceSession&)> act) {
  auto run = [act = std::move(act)](DeviceSession& s) {
    const std::optional<std::string> refusal = act(s);
    s.await_reaction(refusal);
    return s.recovered(s.reaction(refusal));
  };
  return {{std::move(id), std::move(requirements), Mode::Hostile, std::move(summary)}, std::move(run)};
}

std::uint16_t first_queue(DeviceSession& s) { return s.attack_queue(); }

void require_registers(DeviceSession& s, const char* what) {
  if (!s.link().device_registers()) throw StepFailed{skip(std::string("the transport has no ") + what + " register")};
}

virtio::MmioBus& require_bus(DeviceSession& s) {
  if (s.link().bus() == nullptr) throw StepFailed{skip("the transport has no register window")};
  return *s.link().bus();
}

// Brings the device up, lets `build` write descriptors into the first queue's table and
// return a head, exposes it and notifies. Returns the refusal of the notification, if any.
std::optional<std::string> hostile_chain(DeviceSession& s, std::uint64_t features,
                                         const std::function<std::uint16_t(RingWriter&, GuestRam&)>& build) {
  const std::uint16_t q = first_queue(s);
  s.bring_up(features);
  RingWriter& r = s.ring(q);
  const std::uint16_t head = build(r, s.ram());
  r.expose(head);
  return attempt([&] { s.transport().notify(q); });
}

std::uint16_t slot(RingWriter& r, std::uint32_t k) {
  return static_cast<std::uint16_t>((r.next_free() + k) % r.size());
}

shm::GuestAddress bytes(GuestRam& ram, std::uint32_t n) { return ram.allocator.allocate(n, 16); }

// A table of `n` readable 8-byte entries chained 0..n-1, whose entry `nested` (if < n) is
// marked INDIRECT.
shm::GuestAddress table(GuestRam& ram, std::uint32_t n, std::uint32_t nested = ~0u) {
  const shm::GuestAddress t = bytes(ram, 16 * n);
  const shm::GuestAddress data = bytes(ram, 8);
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint16_t flags = i + 1 < n ? kDescNext : 0;
    if (i == nested) flags = kDescIndirect;
    const Descriptor d{little_endian(i == nested ? t : data), little_endian(std::uint32_t{i == nested ? 16u * n : 8u}),
                       little_endian(flags), little_endian(static_cast<std::uint16_t>(i + 1 < n ? i + 1 : 0))};
    ram.memory.write_obj(t + 16 * i, d);
  }
  return t;
}

std::optional<std::string> loop(DeviceSession& s) {
  return hostile_chain(s, kAll, [](RingWriter& r, GuestRam& ram) {
    const auto a = slot(r, 0), b = slot(r, 1);
    const auto buf = bytes(ram, 32);
    r.put(a, {buf, 16, kDescNext, b});
    r.put(b, {buf + 16, 16, kDescNext, a});
    return a;
  });
}

std::optional<std::string> too_large(DeviceSession& s) {
  return hostile_chain(s, kAll, [](RingWriter& r, GuestRam&) {
    const auto a = slot(r, 0), b = slot(r, 1);
    r.put(a, {GuestRam::kBase, 0x80000000u, kDescNext, b});
    r.put(b, {GuestRam::kBase, 0x80000001u, 0, 0});
    return a;
  });
}

std::optional<std::string> head_out_of_range(DeviceSession& s) {
  const std::uint16_t q = first_queue(s);
  s.bring_up(kAll);
  RingWriter& r = s.ring(q);
  r.ring().store_avail_entry(r.avail_idx() & (r.size() - 1), static_cast<std::uint16_t>(r.size() + 3));
  r.set_avail_idx(static_cast<std::uint16_t>(r.avail_idx() + 1));
  return attempt([&] { s.transport().notify(q); });
}

std::optional<std::string> next_out_of_range(DeviceSession& s) {
  return hostile_chain(s, kAll, [](RingWriter& r, GuestRam& ram) {
    const auto a = slot(r, 0);
    r.put(a, {bytes(ram, 16), 16, kDescNext, static_cast<std::uint16_t>(r.size() + 7)});
    return a;
  });
}

std::optional<std::string> outside_memory(DeviceSession& s) {
  return hostile_chain(s, kAll, [](RingWriter& r, GuestRam&) {
    const auto a = slot(r, 0);
    r.put(a, {0x1000, 64, kDescWrite, 0});
    return a;
  });
}

std::optional<std::string> readable_after_writable(DeviceSession& s) {
  return hostile_chain(s, kAll, [](RingWriter& r, GuestRam& ram) {
    const auto a = slot(r, 0), b = slot(r, 1);
    r.put(a, {bytes(ram, 16), 16, static_cast<std::uint16_t>(kDescNext | kDescWrite), b});
    r.put(b, {bytes(ram, 16), 16, 0, 0});
    return a;
  });
}

std::optional<std::string> indirect_chain(DeviceSession& s, std::uint64_t features, std::uint32_t entries,
                                          std::uint32_t nested, std::uint16_t extra_flags, std::uint32_t length) {
  return hostile_chain(s, features, [=](RingWriter& r, GuestRam& ram) {
    const auto a = slot(r, 0), b = slot(r, 1);
    const shm::GuestAddress t = table(ram, entries, nested);
    r.put(a, {t, length == 0 ? 16 * entries : length, static_cast<std::uint16_t>(kDescIndirect | extra_flags), b});
    r.put(b, {bytes(ram, 8), 8, 0, 0});
    return a;
  });
}

void require_indirect(DeviceSession& s) {
  if ((s.offered() & kIndirect) == 0) throw StepFailed{skip("VIRTIO_F_INDIRECT_DESC is not offered")};
}

std::optional<std::string> avail_jump(DeviceSession& s) {
  const std::uint16_t q = first_queue(s);
  s.bring_up(kAll);
  RingWriter& r = s.ring(q);
  r.set_avail_idx(static_cast<std::uint16_t>(r.avail_idx() + r.size() + 5));
  return attempt([&] { s.transport().notify(q); });
}

std::optional<std::string> avail_decrease(DeviceSession& s) {
  const std::uint16_t q = first_queue(s);
  s.bring_up(kAll);
  const std::vector<Placed> placed = s.place_probes();
  s.wait_answered(placed);
  RingWriter& r = s.ring(q);
  r.set_avail_idx(static_cast<std::uint16_t>(r.avail_idx() - 1));
  return attempt([&] { s.transport().notify(q); });
}

std::optional<std::string> notify_before_driver_ok(DeviceSession& s) {
  const std::uint16_t q = first_queue(s);
  s.start(kAll);
  s.setup_queues();
  s.place_probes(Layout::Direct, std::byte{0xa5}, false);
  return attempt([&] { s.transport().notify(q); });
}

std::optional<std::string> features_after_features_ok(DeviceSession& s) {
  require_registers(s, "status");
  const std::uint64_t features = s.start(kAll);
  unsigned bit = 0;
  while (bit < 24 && (features & feature_bit(bit)) != 0) ++bit;
  return attempt(
      [&] { s.transport().set_driver_features(0, static_cast<std::uint32_t>(features | feature_bit(bit % 24))); });
}

std::optional<std::string> status_bit_cleared(DeviceSession& s) {
  require_registers(s, "status");
  s.bring_up(kAll);
  return attempt([&] {
    s.transport().set_status(virtio::kStatusAcknowledge | virtio::kStatusFeaturesOk | virtio::kStatusDriverOk);
  });
}

std::optional<std::string> driver_ok_without_features_ok(DeviceSession& s) {
  require_registers(s, "status");
  s.reset();
  s.transport().set_status(virtio::kStatusAcknowledge);
  s.transport().set_status(kUpToDriver);
  return attempt([&] { s.transport().set_status(kUpToDriver | virtio::kStatusDriverOk); });
}

std::optional<std::string> config_write_early(DeviceSession& s) {
  require_registers(s, "status");
  s.reset();
  s.transport().set_status(virtio::kStatusAcknowledge);
  s.transport().set_status(kUpToDriver);
  if (read_config_space(s.transport()).empty()) throw StepFailed{skip("the device has no configuration space")};
  return attempt([&] { s.transport().write_config(0, 1, 0xff); });
}

std::optional<std::string> reinit_after_failed(DeviceSession& s) {
  require_registers(s, "status");
  s.start(kAll);
  attempt([&] { s.transport().set_status(kUpToFeaturesOk | virtio::kStatusFailed); });
  return attempt([&] { s.transport().set_status(virtio::kStatusAcknowledge); });
}

std::optional<std::string> misaligned_ring(DeviceSession& s) {
  const std::uint16_t q = first_queue(s);
  s.start(kAll);
  const std::uint32_t size = std::min<std::uint32_t>(s.transport().queue_max_size(q), 64);
  const shm::GuestAddress base = s.ram().allocator.allocate(virtqueue::desc_table_bytes(size) + 64, 16);
  virtqueue::RingAddresses a{base + 8, base + 8 + virtqueue::desc_table_bytes(size) + 1, 0};
  a.used = s.ram().allocator.allocate(virtqueue::used_ring_bytes(size) + 8, 4) + 2;
  auto refusal = attempt([&] {
    s.transport().set_queue_size(q, size);
    s.transport().set_queue_addresses(q, a);
    s.transport().set_queue_ready(q, true);
  });
  if (!refusal)
    refusal = attempt([&] {
      s.driver_ok();
      s.transport().notify(q);
    });
  return refusal;
}

std::optional<std::string> queue_num_above_max(DeviceSession& s) {
  require_registers(s, "QueueNumMax");
  const std::uint16_t q = first_queue(s);
  s.start(kAll);
  const std::uint32_t max = s.transport().queue_max_size(q);
  if (max >= virtqueue::kMaxQueueSize) throw StepFailed{skip("QueueNumMax is already the largest queue size")};
  return attempt([&] { s.transport().set_queue_size(q, max * 2); });
}

// Several accesses on the raw window; returns the faults seen.
std::optional<std::string> raw_accesses(DeviceSession& s,
                                        const std::vector<std::tuple<bool, std::uint32_t, unsigned>>& accesses) {
  virtio::MmioBus& bus = require_bus(s);
  std::string faults;
  for (const auto& [write, offset, width] : accesses) {
    const virtio::AccessResult r = write ? bus.write(offset, width, 0) : bus.read(offset, width);
    if (r.fault != virtio::AccessFault::None)
      faults += std::string(faults.empty() ? "" : ", ") + virtio::to_string(r.fault);
  }
  if (faults.empty()) return std::nullopt;
  return "faults: " + faults;
}

std::optional<std::string> wrong_width(DeviceSession& s) {
  require_bus(s);
  s.bring_up(kAll);
  namespace m = virtio::mmio;
  return raw_accesses(
      s,
      {{false, m::kStatus, 2}, {false, m::kStatus + 1, 1}, {false, m::kQueueNumMax + 2, 4}, {true, m::kQueueSel, 2}});
}

std::optional<std::string> undefined_register(DeviceSession& s) {
  require_bus(s);
  s.bring_up(kAll);
  namespace m = virtio::mmio;
  return raw_accesses(s, {{false, 0x0f0, 4},
                          {true, 0x0e8, 4},
                          {true, m::kMagicValue, 4},
                          {false, m::kQueueNotify, 4},
                          {true, m::kDeviceId, 4}});
}

std::optional<std::string> queue_write_while_ready(DeviceSession& s) {
  virtio::MmioBus& bus = require_bus(s);
  const std::uint16_t q = first_queue(s);
  s.bring_up(kAll);
  namespace m = virtio::mmio;
  bus.write(m::kQueueSel, 4, q);
  return raw_accesses(s, {{true, m::kQueueNum, 4}, {true, m::kQueueDescLow, 4}, {true, m::kQueueDeviceHigh, 4}});
}

std::optional<std::string> ack_undefined_bits(DeviceSession& s) {
  require_registers(s, "InterruptACK");
  s.bring_up(kAll);
  return attempt([&] { s.transport().acknowledge_interrupt(0xfc); });
}

std::optional<std::string> config_wrong_width(DeviceSession& s) {
  require_bus(s);
  s.bring_up(kAll);
  if (read_config_space(s.transport()).size() < 8)
    throw StepFailed{skip("the configuration space is shorter than 8 bytes")};
  namespace m = virtio::mmio;
  return raw_accesses(s, {{false, m::kConfig + 1, 4}, {false, m::kConfig + 1, 2}, {false, m::kConfig + 3, 2}});
}

std::optional<std::string> alter_exposed(DeviceSession& s) {
  const std::uint16_t q = first_queue(s);
  s.bring_up(kAll);
  const std::vector<Placed> placed = s.place_probes(Layout::Direct, std::byte{0xa5}, false);
  RingWriter& r = s.ring(q);
  for (const Placed& p : placed) {
    if (p.probe.queue == q) r.put(p.head, {0x2000, 0x100000, kDescWrite, 0});
  }
  return attempt([&] { s.transport().notify(q); });
}

std::vector<DeviceCheck> make_hostile() {
  return {
      hostile("hostile.chain-loop", {"virtio/2.7.5.2/no-loops"}, "a descriptor chain that loops", loop),
      hostile("hostile.chain-too-large", {"virtio/2.7.5.2/chain-at-most-4-gib"}, "a chain of more than 2^32 bytes",
              too_large),
      hostile("hostile.head-out-of-range", {"virtio/2.7.6/head-in-table"}, "an available head past the table",
              head_out_of_range),
      hostile("hostile.next-out-of-range", {"virtio/2.7.5/next-in-table"}, "a next index past the table",
              next_out_of_range),
      hostile("hostile.buffer-outside-memory", {"virtio/2.7.5/buffer-in-guest-memory"}, "a buffer outside guest memory",
              outside_memory),
      hostile("hostile.readable-after-writable", {"virtio/2.7.4.2/writable-after-readable"},
              "a readable descriptor after a writable one", readable_after_writable),
      hostile("hostile.indirect-not-negotiated", {"virtio/2.7.5.3.1/indirect-only-if-negotiated"},
              "INDIRECT without VIRTIO_F_INDIRECT_DESC",
              [](DeviceSession& s) { return indirect_chain(s, kAll & ~kIndirect, 2, ~0u, 0, 0); }),
      hostile("hostile.indirect-nested", {"virtio/2.7.5.3.1/no-nested-indirect"}, "INDIRECT inside an indirect table",
              [](DeviceSession& s) {
                require_indirect(s);
                return indirect_chain(s, kAll, 3, 1, 0, 0);
              }),
      hostile("hostile.indirect-with-next", {"virtio/2.7.5.3.1/not-indirect-and-next"}, "INDIRECT together with NEXT",
              [](DeviceSession& s) {
                require_indirect(s);
                return indirect_chain(s, kAll, 2, ~0u, kDescNext, 0);
              }),
      hostile("hostile.indirect-too-long", {"virtio/2.7.5.3.1/chain-within-queue-size"},
              "an indirect chain longer than the queue",
              [](DeviceSession& s) {
                require_indirect(s);
                return indirect_chain(s, kAll, 65, ~0u, 0, 0);
              }),
      hostile("hostile.indirect-bad-length", {"virtio/2.7.5.3/table-length-multiple-of-16"},
              "an indirect table of 24 bytes",
              [](DeviceSession& s) {
                require_indirect(s);
                return indirect_chain(s, kAll, 2, ~0u, 0, 24);
              }),
      hostile("hostile.avail-idx-jump", {"virtio/2.7.6/idx-within-queue-size"},
              "available idx moved past the queue size", avail_jump),
      hostile("hostile.avail-idx-decrease", {"virtio/2.7.6.1/no-decrement"}, "available idx moved back",
              avail_decrease),
      hostile("hostile.notify-before-driver-ok", {"virtio/3.1.1/no-notify-before-driver-ok"},
              "a notification before DRIVER_OK", notify_before_driver_ok),
      hostile("hostile.features-after-features-ok", {"virtio/3.1.1/no-features-after-features-ok"},
              "a feature written after FEATURES_OK", features_after_features_ok),
      hostile("hostile.status-bit-cleared", {"virtio/2.1.1/never-clear-status-bit"}, "a status write clearing DRIVER",
              status_bit_cleared),
      hostile("hostile.driver-ok-without-features-ok", {"virtio/3.1.1/init-sequence"}, "DRIVER_OK without FEATURES_OK",
              driver_ok_without_features_ok),
      hostile("hostile.config-write-before-features-ok", {"virtio/3.1.1/no-config-write-before-features-ok"},
              "a configuration write before FEATURES_OK", config_write_early),
      hostile("hostile.reinit-after-failed", {"virtio/2.1.1/reset-after-failed"},
              "initialisation after FAILED without a reset", reinit_after_failed),
      hostile("hostile.misaligned-ring", {"virtio/2.7.1/ring-alignment"}, "rings at misaligned addresses",
              misaligned_ring),
      hostile("hostile.queue-num-above-max", {"virtio/4.2.2.2/queue-num-within-max"}, "QueueNum above QueueNumMax",
              queue_num_above_max),
      hostile("hostile.mmio-wrong-width", {"virtio/4.2.2.2/control-register-width"},
              "control registers read and written at 8 and 16 bits and misaligned", wrong_width),
      hostile("hostile.mmio-undefined-register",
              {"virtio/4.2.2.2/defined-registers-only", "virtio/4.2.2.2/register-direction"},
              "undefined offsets, writes to read-only and reads of write-only registers", undefined_register),
      hostile("hostile.mmio-queue-write-while-ready", {"virtio/4.2.2.2/no-queue-write-when-ready"},
              "queue registers written while QueueReady is 1", queue_write_while_ready),
      hostile("hostile.ack-undefined-bits", {"virtio/4.2.2.2/ack-defined-bits"}, "InterruptACK with undefined bits",
              ack_undefined_bits),
      hostile("hostile.mmio-config-width", {"virtio/4.2.2.2/config-access-width"},
              "configuration read misaligned and at the wrong width", config_wrong_width),
      hostile("hostile.alter-exposed", {"virtio/3.3.1/no-alter-exposed", "virtio/3.3.1/reset-before-removing"},
              "descriptors of available chains rewritten", alter_exposed),
  };
}

}  // namespace

const std::vector<DeviceCheck>& hostile_driver_checks() {
  static const std::vector<DeviceCheck> checks = make_hostile();
  return checks;
}

}  // namespace vgen::conform::virtio_checks
