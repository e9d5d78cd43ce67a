// The recording thread's own state: which recorder's buffer it fills and the group record it has
// open there.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <vgen/trace/hooks.hpp>

namespace vgen::trace::detail {

struct Slot;

/// A group entry the calling thread is filling in its ring (record.hpp, group records). The
/// writer does not see it until commit_group() moves the ring's tail past it. An entry never
/// wraps around the ring, so its bytes are one block from `entry`.
struct OpenGroup {
  bool open = false;
  std::uint32_t key = 0;       ///< channel << 16 | queue of every record in it
  std::uint32_t count = 0;     ///< records in it
  std::uint32_t bytes = 0;     ///< bytes of the entry so far: prefix, group header, records
  std::uint32_t limit = 0;     ///< bytes the entry may grow to, trailer included
  std::uint64_t start = 0;     ///< the entry's position (free-running)
  std::uint64_t cut = 0;       ///< payload bytes the records left out (original - captured)
  std::byte* entry = nullptr;  ///< the entry's first byte in the ring
};

/// Where the next record goes in the open `group` when up to `bytes` bytes of it fit; null when
/// they do not. OpenGroup::bytes grows by what the record then takes.
inline std::byte* group_room(const OpenGroup& group, std::size_t bytes) noexcept {
  if (group.bytes + bytes + 4 > group.limit) return nullptr;
  return group.entry + group.bytes;
}

/// The group key of `event`: its channel << 16 | its queue. A group holds one key.
constexpr std::uint32_t group_key(const Event& event) noexcept {
  return (static_cast<std::uint32_t>(channel_of(event)) << 16) | event.queue;
}

/// What a record reads first: the recorder and fork generation the calling thread's slot
/// belongs to, and its open group. Constant-initialized and trivially destructible, so reading
/// it is a plain thread-local load.
struct ThreadRecording {
  std::uint64_t recorder = 0;    ///< the recorder's id (0: none yet)
  std::uint64_t generation = 0;  ///< g_fork_generation when the slot was claimed
  Slot* slot = nullptr;          ///< the slot claimed, null when none was free
  OpenGroup group;               ///< the group this thread is filling in `slot`, if open
};

/// The calling thread's recording state.
extern constinit thread_local ThreadRecording t_recording;

/// Moves on in every forked child, so that a thread's slot (its parent's) is not reused there.
extern std::atomic<std::uint64_t> g_fork_generation;

}  // namespace vgen::trace::detail
