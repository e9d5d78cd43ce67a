// Judging a driver from what it did to the harness device.
#include "driver_checks.hpp"

#include <algorithm>
#include <set>

#include <vgen/conform/isolation.hpp>
#include <vgen/error.hpp>
#include <vgen/format.hpp>
#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/mmio_registers.hpp>
#include <vgen/virtio/status.hpp>
#include <vgen/virtqueue/features.hpp>

#include "harness_device.hpp"

namespace vgen::conform::virtio_checks {
namespace {

namespace m = virtio::mmio;
using virtqueue::feature_bit;
using Judge = std::function<Verdict(const DriverRun& run, const DriverRun* recovery)>;

struct DriverCheck {
  CheckInfo info;
  Scenario scenario = Scenario::Faithful;
  bool window_only = false;  ///< needs virtio-mmio registers (SKIP over the in-process transport)
  Judge judge;
};

using vgen::hex;

bool queue_setup(const Access& a) {
  switch (a.offset) {
    case m::kQueueNum:
    case m::kQueueDescLow:
    case m::kQueueDescHigh:
    case m::kQueueDriverLow:
    case m::kQueueDriverHigh:
    case m::kQueueDeviceLow:
    case m::kQueueDeviceHigh:
      return a.write;
    default:
      return false;
  }
}

bool status_write(const Access& a) { return a.write && a.offset == m::kStatus; }
bool config_access(const Access& a) { return a.offset >= m::kConfig; }

// Calls `visit(access, status)` for every access with the status the driver had written before it.
template <class Visit>
void with_status(const DriverRun& run, Visit&& visit) {
  std::uint32_t status = 0;
  for (const Access& a : run.log) {
    visit(a, status);
    if (status_write(a)) status = a.value;
  }
}

Verdict from_finding(const DriverRun& run, const std::string& finding, const std::string& held) {
  const auto it = run.findings.find(finding);
  if (it != run.findings.end()) return fail(it->second.front() + (it->second.size() > 1 ? " (and more)" : ""));
  if (run.chains == 0) return skip("the driver made no buffer available (" + run.outcome + ")");
  return pass(held + " in the " + std::to_string(run.chains) + " chains made available");
}

// --- the status and feature sequence (§2.1.1, §2.2.1, §3.1.1) --------------------------------

Verdict starts_with_reset(const DriverRun& run, const DriverRun*) {
  for (const Access& a : run.log) {
    if (!status_write(a)) continue;
    if (a.value != 0)
      return fail("first status write is " + virtio::status_text(static_cast<std::uint8_t>(a.value)) + ", not a reset");
    return pass("initialisation starts with a reset (status 0)");
  }
  return fail("the driver never wrote the status (" + run.outcome + ")");
}

Verdict status_order(const DriverRun& run, const DriverRun*) {
  static constexpr std::uint8_t kSteps[] = {virtio::kStatusAcknowledge, virtio::kStatusDriver,
                                            virtio::kStatusFeaturesOk, virtio::kStatusDriverOk};
  std::uint32_t previous = 0;
  int writes = 0;
  for (const Access& a : run.log) {
    if (!status_write(a)) continue;
    ++writes;
    const std::uint32_t added = a.value & ~previous & ~std::uint32_t{virtio::kStatusFailed};
    if (a.value != 0 && added != 0) {
      std::size_t done = 0;
      while (done < 4 && (previous & kSteps[done]) != 0) ++done;
      if (done == 4 || added != kSteps[done]) {
        return fail("status " + virtio::status_text(static_cast<std::uint8_t>(a.value)) + " after " +
                    virtio::status_text(static_cast<std::uint8_t>(previous)) + ": not the next step");
      }
    }
    previous = a.value;
  }
  if (writes == 0) return fail("the driver never wrote the status");
  return pass("status bits set one step at a time: ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK");
}

Verdict never_cleared(const DriverRun& run, const DriverRun*) {
  std::uint32_t previous = 0;
  for (const Access& a : run.log) {
    if (!status_write(a)) continue;
    if (a.value != 0 && (a.value & previous) != previous) {
      return fail("status " + virtio::status_text(static_cast<std::uint8_t>(a.value)) + " clears bits of " +
                  virtio::status_text(static_cast<std::uint8_t>(previous)));
    }
    previous = a.value;
  }
  return pass("no status write cleared a bit (only resets)");
}

Verdict features_read_first(const DriverRun& run, const DriverRun*) {
  bool read = false;
  for (const Access& a : run.log) {
    if (status_write(a) && a.value == 0) read = false;
    if (!a.write && a.offset == m::kDeviceFeatures) read = true;
    if (a.write && a.offset == m::kDriverFeatures && !read)
      return fail("DriverFeatures written before any DeviceFeatures read");
  }
  return pass("device features read before the accepted set was written");
}

Verdict require_features_ok(const DriverRun& run) {
  if (!run.features_ok_written) return skip("the driver never set FEATURES_OK (" + run.outcome + ")");
  return pass("");
}

Verdict features_subset(const DriverRun& run, const DriverRun*) {
  if (Verdict v = require_features_ok(run); v.outcome == Outcome::Skip) return v;
  if (const std::uint64_t extra = run.accepted & ~run.offered; extra != 0) {
    return fail("accepted " + hex(run.accepted) + " holds unoffered bits " + hex(extra));
  }
  return pass("accepted " + hex(run.accepted) + " within the offer " + hex(run.offered));
}

Verdict features_dependencies(const DriverRun& run, const DriverRun*) {
  if (Verdict v = require_features_ok(run); v.outcome == Outcome::Skip) return v;
  if (run.rules.dependencies().empty()) return skip("the device type declares no feature dependencies");
  if (const auto broken = run.rules.violation(run.accepted))
    return fail("accepted " + hex(run.accepted) + ": " + *broken);
  return pass("accepted " + hex(run.accepted) + " satisfies every dependency");
}

Verdict accepts_version_1(const DriverRun& run, const DriverRun*) {
  if (Verdict v = require_features_ok(run); v.outcome == Outcome::Skip) return v;
  if ((run.accepted & virtio::kFeatureVersion1Mask) == 0)
    return fail("accepted " + hex(run.accepted) + " without VIRTIO_F_VERSION_1");
  return pass("VIRTIO_F_VERSION_1 accepted");
}

Verdict no_features_after_ok(const DriverRun& run, const DriverRun*) {
  std::optional<Verdict> broken;
  with_status(run, [&](const Access& a, std::uint32_t status) {
    if (!broken && a.write && a.offset == m::kDriverFeatures && (status & virtio::kStatusFeaturesOk) != 0) {
      broken = fail("DriverFeatures written after FEATURES_OK: " + describe(a));
    }
  });
  return broken.value_or(pass("no feature written after FEATURES_OK"));
}

Verdict rereads_features_ok(const DriverRun& run, const DriverRun*) {
  bool waiting = false;
  int confirmed = 0;
  for (const Access& a : run.log) {
    if (status_write(a) && (a.value & virtio::kStatusFeaturesOk) != 0 && (a.value & virtio::kStatusDriverOk) == 0) {
      waiting = true;
      continue;
    }
    if (!waiting) continue;
    if (!a.write && a.offset == m::kStatus) {
      waiting = false;
      ++confirmed;
    } else if (queue_setup(a) || (a.write && a.offset == m::kQueueReady) || (a.write && config_access(a)) ||
               status_write(a)) {
      return fail("after setting FEATURES_OK the driver went on (" + describe(a) + ") without reading the status back");
    }
  }
  if (confirmed == 0) return skip("the driver never set FEATURES_OK (" + run.outcome + ")");
  return pass("status read back after FEATURES_OK before going on");
}

Verdict no_early(const DriverRun& run, bool (*match)(const Access&), std::uint8_t needed, const char* what,
                 const char* held) {
  std::optional<Verdict> broken;
  with_status(run, [&](const Access& a, std::uint32_t status) {
    if (!broken && match(a) && (status & needed) == 0) {
      broken = fail(std::string(what) + " with status " + virtio::status_text(static_cast<std::uint8_t>(status)) +
                    ": " + describe(a));
    }
  });
  return broken.value_or(pass(held));
}

// --- virtio-mmio discipline (§4.2.2.2, §4.2.3) -----------------------------------------------

Verdict control_width(const DriverRun& run, const DriverRun*) {
  for (const Access& a : run.log) {
    if (a.synthetic || config_access(a)) continue;
    if (a.width != 4 || a.offset % 4 != 0)
      return fail("control register accessed with " + std::to_string(a.width) + " bytes: " + describe(a));
  }
  return pass("every control register access is 32 bits wide and aligned");
}

Verdict config_width(const DriverRun& run, const DriverRun*) {
  int accesses = 0;
  for (const Access& a : run.log) {
    if (!config_access(a)) continue;
    ++accesses;
    if ((a.width != 1 && a.width != 2 && a.width != 4) || a.offset % a.width != 0)
      return fail("configuration access " + describe(a));
  }
  if (accesses == 0) return skip("the driver made no configuration access");
  return pass(std::to_string(accesses) + " configuration accesses, each of 1, 2 or 4 naturally aligned bytes");
}

Verdict defined_registers(const DriverRun& run, const DriverRun*) {
  for (const Access& a : run.log) {
    if (a.synthetic) continue;
    if (a.fault == virtio::AccessFault::Undefined || a.fault == virtio::AccessFault::ReadOnly ||
        a.fault == virtio::AccessFault::WriteOnly) {
      return fail(std::string(virtio::to_string(a.fault)) + ": " + describe(a));
    }
  }
  return pass("no undefined offset, no write to a read-only and no read of a write-only register");
}

Verdict select_before_features(const DriverRun& run, const DriverRun*) {
  bool device_select = false, driver_select = false;
  for (const Access& a : run.log) {
    if (a.synthetic) continue;
    if (a.write && a.offset == m::kDeviceFeaturesSel) device_select = true;
    if (a.write && a.offset == m::kDriverFeaturesSel) driver_select = true;
    if (!a.write && a.offset == m::kDeviceFeatures && !device_select)
      return fail("DeviceFeatures read before any DeviceFeaturesSel write");
    if (a.write && a.offset == m::kDriverFeatures && !driver_select)
      return fail("DriverFeatures written before any DriverFeaturesSel write");
  }
  return pass("the select registers were written before the feature windows");
}

Verdict no_queue_write_when_ready(const DriverRun& run, const DriverRun*) {
  std::set<std::uint32_t> ready;
  for (const Access& a : run.log) {
    if (status_write(a) && a.value == 0) ready.clear();
    if (a.write && a.offset == m::kQueueReady) {
      if (a.value != 0)
        ready.insert(a.queue);
      else
        ready.erase(a.queue);
    }
    if (a.write && a.offset == m::kQueueReset && a.value == 1) ready.erase(a.queue);
    if (queue_setup(a) && ready.count(a.queue) != 0)
      return fail("queue " + std::to_string(a.queue) + " register written while ready: " + describe(a));
  }
  return pass("no queue register written while its QueueReady was 1");
}

Verdict stop_readback(const DriverRun& run, const DriverRun*) {
  constexpr std::uint32_t kNone = ~0u;
  std::uint32_t pending = kNone;
  int stops = 0;
  for (const Access& a : run.log) {
    if (pending != kNone && !a.write && a.offset == m::kQueueReady && a.queue == pending)
      pending = kNone;
    else if (pending != kNone && a.write && a.offset != m::kQueueSel)
      return fail("QueueReady 0 of queue " + std::to_string(pending) + " not read back before " + describe(a));
    if (a.write && a.offset == m::kQueueReady && a.value == 0) {
      pending = a.queue;
      ++stops;
    }
  }
  if (stops == 0) return skip("the driver never stopped a queue with QueueReady 0");
  return pass(std::to_string(stops) + " queue stops, each read back");
}

Verdict read_before_ack(const DriverRun& run, const DriverRun*) {
  bool read = false;
  int acks = 0;
  for (const Access& a : run.log) {
    if (!a.write && a.offset == m::kInterruptStatus) read = true;
    if (a.write && a.offset == m::kInterruptAck) {
      if (!read) return fail("InterruptACK written without reading InterruptStatus first");
      read = false;
      ++acks;
    }
  }
  if (acks == 0) return skip("the driver acknowledged no interrupt");
  return pass(std::to_string(acks) + " acknowledgements, each after reading InterruptStatus");
}

Verdict ack_defined_bits(const DriverRun& run, const DriverRun*) {
  std::uint32_t seen = 0;
  int acks = 0;
  for (const Access& a : run.log) {
    if (!a.write && a.offset == m::kInterruptStatus) seen = a.value;
    if (a.write && a.offset == m::kInterruptAck) {
      ++acks;
      if ((a.value & ~virtio::kInterruptDefinedBits) != 0)
        return fail("InterruptACK " + hex(a.value) + " sets undefined bits");
      if ((a.value & ~seen) != 0)
        return fail("InterruptACK " + hex(a.value) + " acknowledges events InterruptStatus " + hex(seen) +
                    " did not show");
    }
  }
  if (acks == 0) return skip("the driver acknowledged no interrupt");
  return pass(std::to_string(acks) + " acknowledgements of handled, defined bits only");
}

Verdict discovery_order(const DriverRun& run, const DriverRun*) {
  static constexpr std::uint32_t kFirst[] = {m::kMagicValue, m::kVersion, m::kDeviceId};
  if (run.log.size() < 3) return fail("fewer than three register accesses");
  for (std::size_t i = 0; i < 3; ++i) {
    if (run.log[i].write || run.log[i].offset != kFirst[i]) {
      return fail("access " + std::to_string(i + 1) + " is " + describe(run.log[i]) +
                  "; MagicValue, Version, DeviceID come first");
    }
  }
  return pass("MagicValue, Version, then DeviceID read first");
}

Verdict no_shm(const DriverRun& run, const DriverRun*) {
  for (const Access& a : run.log) {
    if (a.offset >= m::kShmSel && a.offset <= m::kShmBaseHigh)
      return fail("shared memory register used: " + describe(a));
  }
  return pass("no shared memory register touched");
}

Verdict queue_reset_verified(const DriverRun& run, const DriverRun*) {
  constexpr std::uint32_t kNone = ~0u;
  std::uint32_t pending = kNone;
  int resets = 0;
  for (const Access& a : run.log) {
    if (pending != kNone && !a.write && a.queue == pending &&
        ((a.offset == m::kQueueReset || a.offset == m::kQueueReady) && a.value == 0))
      pending = kNone;
    if (pending != kNone && a.write && a.offset == m::kQueueReady && a.value == 1 && a.queue == pending) {
      return fail("queue " + std::to_string(pending) + " enabled again before its reset was seen complete");
    }
    if (a.write && a.offset == m::kQueueReset && a.value == 1) {
      pending = a.queue;
      ++resets;
    }
  }
  if (resets == 0) return skip("the driver reset no virtqueue");
  if (pending != kNone)
    return fail("the reset of queue " + std::to_string(pending) + " was never read back as complete");
  return pass(std::to_string(resets) + " queue resets, each read back as complete");
}

Verdict reenable_setup(const DriverRun& run, const DriverRun*) {
  std::map<std::uint32_t, std::set<std::uint32_t>> written;  // queue reset -> registers written since
  int reenabled = 0;
  for (const Access& a : run.log) {
    if (a.write && a.offset == m::kQueueReset && a.value == 1) written[a.queue].clear();
    const auto it = written.find(a.queue);
    if (it == written.end()) continue;
    if (queue_setup(a)) it->second.insert(a.offset);
    if (a.write && a.offset == m::kQueueReady && a.value == 1) {
      if (it->second.size() < 7)
        return fail("queue " + std::to_string(a.queue) +
                    " enabled again without writing its size and all ring addresses");
      ++reenabled;
      written.erase(it);
    }
  }
  if (reenabled == 0) return skip("the driver enabled no queue again after a queue reset");
  return pass(std::to_string(reenabled) + " queues set up in full before being enabled again");
}

// --- scenarios --------------------------------------------------------------------------------

Verdict fails_without_version_1(const DriverRun& run, const DriverRun*) {
  bool failed = false;
  for (const Access& a : run.log) {
    if (!status_write(a)) continue;
    if ((a.value & (virtio::kStatusFeaturesOk | virtio::kStatusDriverOk)) != 0) {
      return fail("went on to " + virtio::status_text(static_cast<std::uint8_t>(a.value)) +
                  " with a device lacking VIRTIO_F_VERSION_1");
    }
    failed = failed || (a.value & virtio::kStatusFailed) != 0;
  }
  if (!failed) return fail("did not set FAILED for a device lacking VIRTIO_F_VERSION_1 (" + run.outcome + ")");
  return pass("set FAILED and stopped when VIRTIO_F_VERSION_1 was not offered");
}

Verdict stops_on_refusal(const DriverRun& run, const DriverRun*) {
  bool refused = false;
  for (const Access& a : run.log) {
    if (status_write(a) && a.value == 0) refused = false;
    if (status_write(a) && (a.value & virtio::kStatusFeaturesOk) != 0) refused = true;
    if (refused && (status_write(a) && (a.value & virtio::kStatusDriverOk) != 0))
      return fail("set DRIVER_OK after FEATURES_OK was refused");
    if (refused && a.write && a.offset == m::kQueueReady && a.value == 1)
      return fail("enabled a queue after FEATURES_OK was refused");
  }
  if (!run.features_ok_written) return skip("the driver never tried FEATURES_OK");
  return pass("stopped initialising when FEATURES_OK was refused (" + run.outcome + ")");
}

Verdict reset_after_failed(const DriverRun& run, const DriverRun*) {
  bool failed = false;
  int seen = 0;
  for (const Access& a : run.log) {
    if (!status_write(a)) continue;
    if (a.value == 0)
      failed = false;
    else if (failed && (a.value & virtio::kStatusFailed) == 0)
      return fail("status " + virtio::status_text(static_cast<std::uint8_t>(a.value)) +
                  " after FAILED without a reset");
    if ((a.value & virtio::kStatusFailed) != 0) {
      failed = true;
      ++seen;
    }
  }
  if (seen == 0) return skip("the driver never set FAILED");
  return pass("after FAILED, the driver reset the device before anything else");
}

Verdict ignores_device(const DriverRun& run, const DriverRun*, const char* why, bool reads_allowed) {
  for (const Access& a : run.log) {
    const bool identification = !a.write && a.offset <= m::kDeviceId;
    if (a.write || (!reads_allowed && !identification))
      return fail("used a device whose " + std::string(why) + ": " + describe(a));
  }
  return pass(std::string("left alone a device whose ") + why + " (" + run.outcome + ")");
}

Verdict completed_in(const DriverRun& run, const char* what) {
  if (!run.completed) return fail(std::string("did not complete with ") + what + ": " + run.outcome);
  return pass(std::string("completed with ") + what);
}

Verdict wide_read(const DriverRun& run, const DriverRun*) {
  if (run.flips.empty()) return skip("the driver read no 64-bit configuration field as two halves");
  const std::uint32_t field = run.flips.front();
  bool flipped = false, generation = false;
  for (const Access& a : run.log) {
    if (!flipped) {
      flipped = !a.write && a.offset == m::kConfig + field + 4;
      continue;
    }
    if (!a.write && a.offset == m::kConfigGeneration) generation = true;
    if (generation && !a.write && a.offset == m::kConfig + field)
      return pass("read the field at " + std::to_string(field) + " again after the generation moved");
  }
  return fail("kept the 64-bit field at offset " + std::to_string(field) +
              " although the generation moved between its halves");
}

Verdict ignores_undefined_bits(const DriverRun& run, const DriverRun*) {
  for (const Access& a : run.log) {
    if (a.write && a.offset == m::kInterruptAck && (a.value & 0x20) != 0)
      return fail("acknowledged the undefined InterruptStatus bit 0x20");
  }
  return completed_in(run, "an undefined bit set in InterruptStatus");
}

Verdict survived(const DriverRun& run, const DriverRun* recovery, const char* what) {
  if (run.acted == 0) return skip(std::string("the driver gave the harness no moment to send ") + what);
  if (recovery == nullptr) return fail("harness error: no recovery run");
  if (!recovery->completed)
    return fail(std::string("after ") + what + " (" + run.outcome +
                "), the driver failed with a faithful device: " + recovery->outcome);
  return pass(std::string("against ") + what + " the driver " + run.outcome +
              "; then it worked with a faithful device");
}

DriverCheck make(std::string id, std::vector<std::string> reqs, std::string summary, Judge judge,
                 Scenario scenario = Scenario::Faithful, bool window_only = false) {
  const Mode mode = hostile(scenario) ? Mode::Hostile : Mode::Faithful;
  return {{std::move(id), std::move(reqs), mode, std::move(summary)}, scenario, window_only, std::move(judge)};
}

Judge finding(const char* name, const char* held) {
  return [=](const DriverRun& run, const DriverRun*) { return from_finding(run, name, held); };
}

std::vector<DriverCheck> make_checks() {
  auto config_write = [](const Access& a) { return a.write && config_access(a); };
  auto notify = [](const Access& a) { return a.write && a.offset == m::kQueueNotify; };
  return {
      make("driver.init-starts-with-reset", {"virtio/3.1.1/init-sequence"}, "the first status write is a reset",
           starts_with_reset),
      make("driver.status-order", {"virtio/2.1.1/status-follows-steps", "virtio/3.1.1/init-sequence"},
           "status bits follow the initialisation steps", status_order),
      make("driver.status-never-cleared", {"virtio/2.1.1/never-clear-status-bit"}, "no status bit is cleared",
           never_cleared),
      make("driver.features-read-first", {"virtio/3.1.1/read-features-first"}, "features read before written",
           features_read_first),
      make("driver.features-subset", {"virtio/2.2.1/accept-only-offered"}, "only offered features accepted",
           features_subset),
      make("driver.features-dependencies", {"virtio/2.2.1/accept-dependencies"}, "no feature without its requirement",
           features_dependencies),
      make("driver.accepts-version-1", {"virtio/6/driver-accepts-version-1"}, "VIRTIO_F_VERSION_1 accepted",
           accepts_version_1),
      make("driver.no-features-after-features-ok", {"virtio/3.1.1/no-features-after-features-ok"},
           "no feature write after FEATURES_OK", no_features_after_ok),
      make("driver.rereads-features-ok", {"virtio/3.1.1/reread-features-ok"}, "status read back after FEATURES_OK",
           rereads_features_ok),
      make("driver.no-config-write-before-features-ok", {"virtio/3.1.1/no-config-write-before-features-ok"},
           "no configuration write before FEATURES_OK",
           [=](const DriverRun& run, const DriverRun*) {
             return no_early(run, config_write, virtio::kStatusFeaturesOk, "configuration written",
                             "no configuration write before FEATURES_OK");
           }),
      make("driver.no-notify-before-driver-ok", {"virtio/3.1.1/no-notify-before-driver-ok"},
           "no notification before DRIVER_OK",
           [=](const DriverRun& run, const DriverRun*) {
             return no_early(run, notify, virtio::kStatusDriverOk, "notified", "no notification before DRIVER_OK");
           }),
      make("driver.queue-num-max", {"virtio/4.2.2.2/queue-num-within-max"}, "QueueNum within QueueNumMax",
           [](const DriverRun& run, const DriverRun*) {
             const auto it = run.findings.find("queue-num-max");
             return it == run.findings.end() ? pass("every QueueNum within QueueNumMax") : fail(it->second.front());
           }),
      make("driver.ring-alignment", {"virtio/2.7.1/ring-alignment"}, "rings aligned 16/2/4",
           finding("ring-alignment", "rings aligned")),
      make("driver.used-flags-initialised", {"virtio/2.7.10.1/used-flags-initialised"},
           "used flags 0 when a queue is enabled", finding("used-flags-initialised", "used flags 0 at enable")),
      make("driver.avail-no-decrement", {"virtio/2.7.6.1/no-decrement"}, "available idx never decreases",
           finding("avail-no-decrement", "available idx only grew")),
      make("driver.avail-flags", {"virtio/2.7.7.1/avail-flags-values"}, "available flags 0 or 1, 0 with EVENT_IDX",
           finding("avail-flags", "available flags valid")),
      make("driver.writable-after-readable", {"virtio/2.7.4.2/writable-after-readable"},
           "device-writable descriptors after readable ones",
           finding("writable-after-readable", "writable after readable")),
      make("driver.no-loops", {"virtio/2.7.5.2/no-loops"}, "no chain loops", finding("no-loops", "no loop")),
      make("driver.chain-size", {"virtio/2.7.5.2/chain-at-most-4-gib"}, "chains of at most 2^32 bytes",
           finding("chain-at-most-4-gib", "at most 2^32 bytes")),
      make("driver.in-order-next", {"virtio/2.7.5.2/in-order-next", "virtio/2.7.5.3.1/in-order-indirect-next"},
           "with IN_ORDER, descriptors in sequence",
           [](const DriverRun& run, const DriverRun*) {
             if ((run.accepted & feature_bit(virtqueue::kFeatureInOrder)) == 0)
               return skip("VIRTIO_F_IN_ORDER not negotiated");
             return from_finding(run, "in-order-next", "descriptors in sequence");
           }),
      make("driver.indirect-negotiated", {"virtio/2.7.5.3.1/indirect-only-if-negotiated"},
           "INDIRECT only when negotiated", finding("indirect-only-if-negotiated", "INDIRECT only when negotiated")),
      make("driver.no-nested-indirect", {"virtio/2.7.5.3.1/no-nested-indirect"}, "no INDIRECT inside a table",
           finding("no-nested-indirect", "no nested table")),
      make("driver.not-indirect-and-next", {"virtio/2.7.5.3.1/not-indirect-and-next"}, "never INDIRECT with NEXT",
           finding("not-indirect-and-next", "no INDIRECT with NEXT")),
      make("driver.chain-within-queue-size", {"virtio/2.7.5.3.1/chain-within-queue-size"},
           "indirect chains within the queue size", finding("chain-within-queue-size", "within the queue size")),
      make("driver.heads-in-table", {"virtio/2.7.6/head-in-table"}, "available heads inside the table",
           finding("head-in-table", "heads inside the table")),
      make("driver.next-in-table", {"virtio/2.7.5/next-in-table"}, "next indexes inside the table",
           finding("next-in-table", "next indexes inside the table")),
      make("driver.idx-within-queue-size", {"virtio/2.7.6/idx-within-queue-size"},
           "available idx moves at most a queue size", finding("avail-idx-jump", "no jump of the available idx")),
      make("driver.buffers-in-memory", {"virtio/2.7.5/buffer-in-guest-memory"}, "buffers inside guest memory",
           finding("buffer-in-guest-memory", "buffers inside guest memory")),
      make("driver.table-length", {"virtio/2.7.5.3/table-length-multiple-of-16"},
           "indirect tables a multiple of 16 bytes", finding("table-length-multiple-of-16", "whole indirect tables")),
      make("driver.no-alter-exposed", {"virtio/3.3.1/no-alter-exposed", "virtio/3.3.1/reset-before-removing"},
           "available descriptors untouched until used",
           finding("no-alter-exposed", "available descriptors untouched")),
      make("driver.notify-when-required",
           {"virtio/2.7.10.1/notify-when-flags-zero", "virtio/2.7.10.1/notify-at-avail-event"},
           "notifies unless the device suppressed it",
           [](const DriverRun& run, const DriverRun*) {
             return from_finding(run, "notify-required", "every required notification sent");
           }),
      make(
          "driver.ignores-suppression-noise",
          {"virtio/2.7.10.1/ignore-avail-event", "virtio/2.7.10.1/ignore-flags-with-event-idx"},
          "ignores the suppression field not in force",
          [](const DriverRun& run, const DriverRun*) {
            if (const auto it = run.findings.find("notify-required"); it != run.findings.end())
              return fail("followed a suppression field it must ignore: " + it->second.front());
            return completed_in(run, "the suppression field not in force set to suppress");
          },
          Scenario::SuppressionNoise),
      make("driver.mmio-control-width", {"virtio/4.2.2.2/control-register-width"}, "32-bit aligned control accesses",
           control_width, Scenario::Faithful, true),
      make("driver.config-access-width", {"virtio/4.2.2.2/config-access-width"},
           "configuration accesses of the field's width", config_width),
      make("driver.mmio-defined-registers",
           {"virtio/4.2.2.2/defined-registers-only", "virtio/4.2.2.2/register-direction"},
           "only defined registers, in their direction", defined_registers, Scenario::Faithful, true),
      make("driver.mmio-select-before-features", {"virtio/4.2.2.2/select-before-features"},
           "selectors written before feature windows", select_before_features, Scenario::Faithful, true),
      make("driver.no-queue-write-when-ready", {"virtio/4.2.2.2/no-queue-write-when-ready"},
           "no queue register written while ready", no_queue_write_when_ready),
      make("driver.queue-stop-readback", {"virtio/4.2.2.2/stop-queue-readback"}, "QueueReady 0 read back",
           stop_readback, Scenario::Faithful, true),
      make("driver.interrupt-read-before-ack",
           {"virtio/4.2.3.4.1/read-status-then-ack", "virtio/4.2.3.4.1/acknowledge-handled"},
           "InterruptStatus read before InterruptACK", read_before_ack),
      make("driver.ack-defined-bits", {"virtio/4.2.2.2/ack-defined-bits", "virtio/4.2.2.2/ack-handled-events"},
           "InterruptACK of handled, defined bits", ack_defined_bits),
      make("driver.mmio-discovery-order", {"virtio/4.2.3.1.1/magic-version-first"}, "MagicValue and Version read first",
           discovery_order, Scenario::Faithful, true),
      make("driver.mmio-no-shm", {"virtio/4.2.3.1.1/no-shm-registers"}, "no shared memory registers", no_shm,
           Scenario::Faithful, true),
      make("driver.queue-reset-verified", {"virtio/2.6.1.1.2/verify-queue-reset", "virtio/4.2.2.2/queue-reset-poll"},
           "queue resets read back as complete", queue_reset_verified),
      make("driver.queue-reenable-setup", {"virtio/2.6.1.2.2/reenable-setup"}, "a re-enabled queue set up in full",
           reenable_setup),
      make("driver.fails-without-version-1", {"virtio/2.2.1/fail-on-missing-feature"},
           "FAILED for a device without VERSION_1", fails_without_version_1, Scenario::NoVersion1),
      make("driver.stops-on-refused-features", {"virtio/3.1.1/stop-on-failure"},
           "no DRIVER_OK after a refused FEATURES_OK", stops_on_refusal, Scenario::RefuseFeatures),
      make("driver.reset-after-failed", {"virtio/2.1.1/reset-after-failed"},
           "a reset after FAILED before anything else", reset_after_failed, Scenario::RefuseFeatures),
      make(
          "driver.mmio-bad-magic", {"virtio/4.2.2.2/ignore-bad-magic"}, "a device with a bad MagicValue is ignored",
          [](const DriverRun& run, const DriverRun* r) { return ignores_device(run, r, "MagicValue is wrong", true); },
          Scenario::BadMagic, true),
      make(
          "driver.mmio-bad-version", {"virtio/4.2.2.2/ignore-bad-version"}, "a device with Version 1 is ignored",
          [](const DriverRun& run, const DriverRun* r) { return ignores_device(run, r, "Version is 1", true); },
          Scenario::BadVersion, true),
      make(
          "driver.mmio-device-id-zero",
          {"virtio/4.2.2.2/ignore-device-id-zero", "virtio/4.2.3.1.1/abort-on-device-id-zero"},
          "DeviceID 0: no other register touched",
          [](const DriverRun& run, const DriverRun* r) { return ignores_device(run, r, "DeviceID is 0", false); },
          Scenario::DeviceIdZero, true),
      make(
          "driver.config-tail-padding", {"virtio/2.5.1/no-config-size-limit"},
          "works with a larger configuration space",
          [](const DriverRun& run, const DriverRun*) {
            return completed_in(run, "64 bytes of padding after the configuration space");
          },
          Scenario::ConfigPadding),
      make("driver.config-wide-read", {"virtio/2.5.1/wide-fields-not-atomic"},
           "a 64-bit field read again when the generation moved", wide_read, Scenario::GenerationFlip),
      make(
          "driver.spurious-interrupts", {"virtio/2.7.7.1/spurious-interrupts"}, "works with spurious interrupts",
          [](const DriverRun& run, const DriverRun*) {
            return completed_in(run, "a spurious interrupt after every notification");
          },
          Scenario::SpuriousInterrupts),
      make("driver.ignores-undefined-interrupt-bits", {"virtio/4.2.2.2/ignore-undefined-interrupt-bits"},
           "undefined InterruptStatus bits ignored", ignores_undefined_bits, Scenario::UndefinedInterruptBits),
      make(
          "hostile-device.bad-used-id", {"virtio/2.7.8/used-id-is-head"}, "a used id past the table",
          [](const DriverRun& run, const DriverRun* r) { return survived(run, r, "a used id past the table"); },
          Scenario::BadUsedId),
      make(
          "hostile-device.used-len-too-large", {"virtio/2.7.8.1/writes-len-bytes"}, "a used len beyond the buffer",
          [](const DriverRun& run, const DriverRun* r) { return survived(run, r, "a used len beyond the buffer"); },
          Scenario::UsedLenTooLarge),
      make(
          "hostile-device.used-before-driver-ok", {"virtio/2.1.2/no-use-before-driver-ok"},
          "buffers used before DRIVER_OK",
          [](const DriverRun& run, const DriverRun* r) { return survived(run, r, "buffers used before DRIVER_OK"); },
          Scenario::UsedBeforeDriverOk),
      make(
          "hostile-device.config-without-generation", {"virtio/4.2.2.1/config-generation"},
          "configuration changing under a constant generation",
          [](const DriverRun& run, const DriverRun* r) {
            return survived(run, r, "configuration changing under a constant generation");
          },
          Scenario::ConfigWithoutGeneration),
      make(
          "hostile-device.used-idx-jump", {"virtio/2.7.8/used-idx-within-queue-size"},
          "a used idx beyond the queue size",
          [](const DriverRun& run, const DriverRun* r) { return survived(run, r, "a used idx beyond the queue size"); },
          Scenario::UsedIdxJump),
  };
}

const std::vector<DriverCheck>& checks() {
  static const std::vector<DriverCheck> list = make_checks();
  return list;
}

DriverRunner runner(const VirtioPlan& plan) {
  if (plan.target == nullptr || !plan.target->run_driver || !plan.target->make_device) {
    throw vgen::Error(
        "the driver role needs the pair's driver and device halves linked into the harness (run the pair's program "
        "with --conform)");
  }
  if (plan.transport == "in-process") return in_process_driver(*plan.target);
  if (plan.transport == "mmio") return mmio_driver(*plan.target, plan.timeout / 2);
  throw vgen::Error("the driver role runs over in-process or mmio, not '" + plan.transport + "'");
}

std::vector<Verdict> judge_scenario(const DriverRunner& run, Scenario scenario,
                                    const std::vector<const DriverCheck*>& list) {
  const DriverRun result = run(scenario);
  std::optional<DriverRun> recovery;
  if (hostile(scenario)) recovery = run(Scenario::Faithful);
  std::vector<Verdict> verdicts;
  for (const DriverCheck* c : list) {
    if (c->window_only && !result.register_window) {
      verdicts.push_back(skip("the in-process transport has no registers"));
      continue;
    }
    verdicts.push_back(c->judge(result, recovery ? &*recovery : nullptr));
  }
  return verdicts;
}

}  // namespace

std::vector<CheckInfo> driver_check_infos() {
  std::vector<CheckInfo> infos;
  for (const DriverCheck& c : checks()) infos.push_back(c.info);
  return infos;
}

void run_driver_role(const VirtioPlan& plan, Report& report, const std::map<std::string, std::string>& deviations) {
  const DriverRunner run = runner(plan);
  std::map<Scenario, std::vector<const DriverCheck*>> by_scenario;
  for (const DriverCheck& c : checks()) {
    const bool wanted = (c.info.mode == Mode::Faithful ? plan.faithful : plan.hostile) &&
                        (!plan.only || std::regex_search(c.info.id, *plan.only));
    if (wanted) by_scenario[c.scenario].push_back(&c);
  }
  for (const auto& group : by_scenario) {
    const auto& scenario = group.first;
    const auto& list = group.second;
    const bool window_only = std::all_of(list.begin(), list.end(), [](const DriverCheck* c) { return c->window_only; });
    if (window_only && plan.transport != "mmio") {
      for (const DriverCheck* c : list) report.add({c->info, skip("the in-process transport has no registers"), {}});
      continue;
    }
    const std::vector<Verdict> verdicts =
        run_isolated_batch([&] { return judge_scenario(run, scenario, list); }, list.size(), plan.timeout);
    for (std::size_t i = 0; i < list.size(); ++i) report.add(judged(list[i]->info, verdicts[i], deviations));
  }
}

}  // namespace vgen::conform::virtio_checks
