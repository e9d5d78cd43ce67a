// What a device check works with: a fresh device behind a link, the harness's raw rings, and
// the steps of a faithful driver (§3.1.1) that checks compose, each checking the device's
// answers. A step the device breaks throws StepFailed carrying the FAIL (or SKIP) verdict.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <vgen/conform/verdict.hpp>
#include <vgen/conform/virtio_target.hpp>
#include <vgen/virtio/features.hpp>

#include "device_link.hpp"
#include "guest_ram.hpp"
#include "ring_writer.hpp"

namespace vgen::conform::virtio_checks {

/// Ends a check early with `verdict` (thrown by session steps and by checks).
struct StepFailed {
  Verdict verdict;
};

/// A probe placed in a ring: where its parts are and what they held.
struct Placed {
  VirtioProbe probe;
  std::uint16_t head = 0;
  std::vector<Part> parts;                       ///< readable first, then writable
  std::vector<std::vector<std::byte>> readable;  ///< copies of the readable parts as placed
  std::uint64_t writable_bytes = 0;              ///< total room offered
};

/// Everything a device check needs, for one fresh device.
class DeviceSession {
 public:
  /// How long a check waits for the device to use an answered probe.
  static constexpr std::chrono::milliseconds kAnswerTimeout{2000};
  /// How long a check watches for something that must not happen.
  static constexpr std::chrono::milliseconds kQuietPeriod{150};

  /// `probes` empty: the built-in ones for the device's type; `rules`: the device type's
  /// feature dependencies when known (else the built-in ones).
  DeviceSession(const LinkFactory& factory, std::vector<VirtioProbe> probes, std::optional<virtio::FeatureRules> rules);

  virtio::Transport& transport() { return link_->transport(); }
  DeviceLink& link() { return *link_; }
  GuestRam& ram() { return ram_; }
  const std::vector<VirtioProbe>& probes() const noexcept { return probes_; }
  const std::optional<virtio::FeatureRules>& rules() const noexcept { return rules_; }
  /// True when at least one probe is answered on its own (device checks needing traffic skip
  /// otherwise).
  bool has_answered_probe() const;
  /// Throws StepFailed(SKIP) unless has_answered_probe().
  void require_probes() const;

  /// The offered features (both windows).
  std::uint64_t offered();
  /// Writes 0 to the status and waits for it to read 0 (StepFailed FAIL otherwise).
  void reset();
  /// §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, accept `wanted` & offered (plus
  /// VERSION_1), FEATURES_OK, re-read. StepFailed FAIL when the device refuses a valid set.
  std::uint64_t start(std::uint64_t wanted);
  /// The features start() negotiated.
  std::uint64_t features() const noexcept { return features_; }
  /// Step 7 for every queue a probe uses: size min(QueueNumMax, `size`), rings, QueueReady.
  void setup_queues(std::uint32_t size = 64);
  /// Sets up queue `index` with `size` entries (0: min(max, 64)); `ready` writes QueueReady.
  RingWriter& setup_queue(std::uint16_t index, std::uint32_t size = 0, bool ready = true);
  /// The ring of queue `index` (set up before).
  RingWriter& ring(std::uint16_t index);
  /// Step 8.
  void driver_ok();
  /// start(), setup_queues(), driver_ok().
  void bring_up(std::uint64_t wanted);

  /// Places every probe in `layout`, writable parts filled with `canary`; exposes them and,
  /// with `notify`, notifies each queue used.
  std::vector<Placed> place_probes(Layout layout = Layout::Direct, std::byte canary = std::byte{0xa5},
                                   bool notify = true, std::optional<std::uint16_t> only_queue = std::nullopt);
  /// The queue hostile chains go to: one the device reads on a notification (a probe with
  /// device-readable bytes), else the first answered probe's. SKIP when there is none.
  std::uint16_t attack_queue() const;
  /// Notifies every queue a probe uses.
  void notify_probe_queues();
  /// Polls `done` every millisecond until it holds (true), or `timeout` passes or the device
  /// closes its end first (false).
  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  /// Waits until every answered probe of `placed` shows in its used ring; false on timeout.
  bool wait_answered(const std::vector<Placed>& placed, std::chrono::milliseconds timeout = kAnswerTimeout);
  /// The used element returned for `placed`, if the device returned it.
  std::optional<virtqueue::UsedElement> used_of(const Placed& placed);
  /// Bytes of the writable parts of `placed` as they are now.
  std::vector<std::byte> writable_now(const Placed& placed);

  /// DEVICE_NEEDS_RESET is set in the status.
  bool needs_reset();
  /// For hostile checks: the device is alive, resets, initialises and answers every probe
  /// again. PASS naming `what_happened`, or FAIL saying what did not work.
  Verdict recovered(const std::string& what_happened);
  /// "rejected: <message>", "set DEVICE_NEEDS_RESET", "ignored it" from what was seen.
  std::string reaction(const std::optional<std::string>& refusal);
  /// After a hostile step the device did not refuse: waits until the device closes its end or
  /// sets DEVICE_NEEDS_RESET, for at most kQuietPeriod (a device that ignores the step takes
  /// the whole period). A refused step returns at once: the refusal was the reaction.
  void await_reaction(const std::optional<std::string>& refusal);

 private:
  Part buffer(std::uint32_t length, bool writable, std::span<const std::byte> fill, std::byte canary);

  GuestRam ram_;
  std::unique_ptr<DeviceLink> link_;
  std::vector<VirtioProbe> probes_;
  std::optional<virtio::FeatureRules> rules_;
  std::uint64_t features_ = 0;
  std::map<std::uint16_t, std::unique_ptr<RingWriter>> rings_;
};

/// Runs `action` and returns the message of the exception it threw (a refused access), or
/// nullopt when it went through.
std::optional<std::string> attempt(const std::function<void()>& action);

}  // namespace vgen::conform::virtio_checks
