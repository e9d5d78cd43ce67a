// The harness device's record of what the driver under test did: every register access, and
// what it put in its rings, sampled at each access (the moment the device would look). The
// ring rules of §2.7 are checked as chains appear; the rest is judged from the log afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/split_ring.hpp>

#include "access.hpp"

namespace vgen::conform::virtio_checks {

/// Rule breaks found while watching the rings, by finding name (e.g. "no-loops"), with the
/// first few details of each.
using Findings = std::map<std::string, std::vector<std::string>>;

/// What the driver put in one queue, as far as the device can see.
struct QueueWatch {
  std::uint32_t size = 0;                                   ///< QueueNum as written
  virtqueue::RingAddresses addresses;                       ///< as written
  bool ready = false;                                       ///< QueueReady 1 written and not stopped since
  std::unique_ptr<virtqueue::SplitRing> ring;               ///< mapped once ready with valid rings
  std::uint16_t avail_seen = 0;                             ///< avail idx at the last sample
  std::uint16_t used_seen = 0;                              ///< used idx processed
  std::uint16_t notified_avail = 0;                         ///< avail idx at the last notification
  std::map<std::uint16_t, std::vector<std::byte>> exposed;  ///< head -> its descriptors as exposed
};

/// Records a driver's accesses and watches its rings.
class DriverObserver {
 public:
  /// `max_sizes`: QueueNumMax per queue; `offered`: the feature word the driver is shown.
  DriverObserver(const shm::GuestMemory& memory, std::vector<std::uint32_t> max_sizes);

  /// Before the device sees `access`: samples the rings, fills in the selectors in force and,
  /// for writes, follows the driver's state (status, features, queue registers).
  void before(Access& access);
  /// After the device answered: appends `access` (with the value the driver saw) to the log.
  void after(const Access& access);
  /// End of the run: a last sample and the notification rule for buffers left unnotified.
  void finish();

  const std::vector<Access>& log() const noexcept { return log_; }
  const Findings& findings() const noexcept { return findings_; }
  /// Chains walked, for reasons.
  std::size_t chains_seen() const noexcept { return chains_seen_; }
  /// The driver's accepted features when it last wrote FEATURES_OK.
  std::uint64_t accepted() const noexcept { return accepted_at_features_ok_; }
  /// Whether FEATURES_OK was ever written.
  bool features_ok_written() const noexcept { return features_ok_written_; }
  /// The queue `index`, if the driver touched it (for hostile device behaviour).
  QueueWatch* queue(std::uint32_t index);
  /// The current negotiated ring features (after FEATURES_OK).
  std::uint64_t negotiated() const noexcept { return status_ & 8 ? driver_features_ : 0; }
  /// The status the driver last wrote.
  std::uint8_t status() const noexcept { return status_; }

 private:
  void follow_write(const Access& a);
  void queue_register(const Access& a);
  void enable(std::uint32_t index);
  void sample();
  void sample_queue(std::uint32_t index, QueueWatch& q);
  void check_notified(std::uint32_t index, QueueWatch& q);
  void note(const std::string& finding, const std::string& detail);
  std::vector<std::byte> walk(std::uint32_t index, const QueueWatch& q, std::uint16_t head, bool report);

  const shm::GuestMemory& memory_;
  std::vector<std::uint32_t> max_sizes_;
  std::vector<Access> log_;
  Findings findings_;
  std::map<std::uint32_t, QueueWatch> queues_;
  std::uint32_t queue_sel_ = 0;
  std::uint32_t device_select_ = 0;
  std::uint32_t driver_select_ = 0;
  std::uint8_t status_ = 0;
  std::uint64_t driver_features_ = 0;
  std::uint64_t accepted_at_features_ok_ = 0;
  bool features_ok_written_ = false;
  std::size_t chains_seen_ = 0;
};

}  // namespace vgen::conform::virtio_checks
