#include "vgen/trace/recorder.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include <vgen/trace/error.hpp>
#include <vgen/trace/record.hpp>

#include "clock.hpp"
#include "log_writer.hpp"
#include "slot_pool.hpp"

namespace vgen::trace {
namespace {

constexpr auto kFileFlushInterval = std::chrono::milliseconds(20);

std::atomic<std::uint64_t> g_next_recorder{1};
// Moves on in every forked child, so a thread's cached slot (its parent's) is not reused.
std::atomic<std::uint64_t> g_fork_generation{0};

void count_fork() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

// What record() reads first: the recorder and fork generation the calling thread's slot
// belongs to. Trivially destructible, so reading it is a plain thread-local load.
struct FastSlot {
  std::uint64_t recorder = 0;
  std::uint64_t generation = 0;
  detail::Slot* slot = nullptr;
  detail::OpenGroup group;  // the group this thread is filling in `slot`, if open
};

thread_local FastSlot t_fast;

// The slot the calling thread records into, for one recorder at a time; gives it back when the
// thread exits. Touched only when the thread starts recording into another recorder.
struct ThreadSlot {
  std::uint64_t recorder = 0;
  std::uint64_t generation = 0;
  detail::Slot* slot = nullptr;
  std::shared_ptr<detail::SlotPool> pool;

  ~ThreadSlot() { retire(); }
  void retire() noexcept {
    if (slot != nullptr && generation == g_fork_generation.load(std::memory_order_relaxed)) {
      if (t_fast.group.open) detail::commit_group(*pool, *slot, t_fast.group);
      slot->state.store(detail::kRetired, std::memory_order_release);
    }
    slot = nullptr;
    pool.reset();
    t_fast = {};
  }
};

thread_local ThreadSlot t_slot;

RecorderOptions checked(RecorderOptions options) {
  if (options.writer_nice < 0 || options.writer_nice > 19) {
    throw Error(ErrorCode::Invalid,
                "trace recorder: writer nice value " + std::to_string(options.writer_nice) + " (0 to 19)");
  }
  return options;
}

}  // namespace

Recorder::Recorder(const std::string& path, RecorderOptions options)
    : options_(checked(std::move(options))),
      id_(g_next_recorder.fetch_add(1)),
      owner_(getpid()),
      pool_(std::make_shared<detail::SlotPool>(options_.threads, options_.buffer_bytes,
                                               options_.mode == RecorderMode::Flight)),
      writer_(std::make_unique<detail::LogWriter>(path, options_.application, options_.threads)) {
  static const int registered = pthread_atfork(nullptr, nullptr, count_fork);
  (void)registered;
  thread_ = new std::thread([this] { run_writer(); });
}

Recorder::~Recorder() {
  auto* thread = static_cast<std::thread*>(thread_);
  end_group();
  if (getpid() != owner_) return;  // a forked copy: the writer thread is the parent's
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread->join();
  delete thread;
  if (t_slot.recorder == id_) t_slot.retire();
}

inline detail::Slot* Recorder::thread_slot() noexcept {
  const std::uint64_t generation = g_fork_generation.load(std::memory_order_relaxed);
  if (t_fast.recorder == id_ && t_fast.generation == generation && t_fast.slot != nullptr) [[likely]] {
    return t_fast.slot;
  }
  detail::Slot* slot = claim_thread_slot(generation);
  if (slot == nullptr) [[unlikely]]
    lost_without_slot_.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

detail::Slot* Recorder::claim_thread_slot(std::uint64_t generation) noexcept {
  if (t_fast.recorder != id_ || t_fast.generation != generation) {
    t_slot.retire();
    t_slot.recorder = id_;
    t_slot.generation = generation;
    t_slot.pool = pool_;
    t_slot.slot = pool_->claim();
    t_fast = {id_, generation, t_slot.slot, {}};
  }
  return t_fast.slot;
}

void close_thread_group() noexcept {
  // The group first: t_fast is a plain thread-local, t_slot one with a destructor.
  if (!t_fast.group.open || t_slot.slot == nullptr) return;
  if (t_slot.generation != g_fork_generation.load(std::memory_order_relaxed)) return;  // the parent's
  detail::commit_group(*t_slot.pool, *t_slot.slot, t_fast.group);
}

namespace {

std::uint32_t key_of(const Event& event) noexcept { return detail::entry_key(channel_of(event), event.queue); }

}  // namespace

void Recorder::record(const Event& event) noexcept {
  detail::Slot* slot = thread_slot();
  if (slot == nullptr) [[unlikely]]
    return;
  if (t_fast.group.open) detail::commit_group(*pool_, *slot, t_fast.group);  // records stay in order
  append_alone(*slot, event, encoded_size(event, options_.snap_length));
}

void Recorder::append_alone(detail::Slot& slot, const Event& event, RecordSize size) noexcept {
  const std::uint32_t snap = options_.snap_length;
  detail::append(*pool_, slot, key_of(event), size.captured, size.original, [&](std::byte* out) {
    encode(event, snap, {out, size.captured});
  });
}

void Recorder::record_in_group(const Event& event) noexcept {
  detail::Slot* slot = thread_slot();
  if (slot == nullptr) [[unlikely]]
    return;
  const std::uint32_t snap = options_.snap_length;
  const std::size_t most = group_member_bound(event, snap);
  const std::uint32_t key = key_of(event);
  detail::OpenGroup& group = t_fast.group;
  std::byte* out = nullptr;
  if (group.open) {
    if (group.key == key) out = detail::group_room(group, most);
    if (out == nullptr) detail::commit_group(*pool_, *slot, group);
  }
  if (out == nullptr) {
    if (!detail::open_group(*pool_, *slot, group, key, most)) {
      // Too big for a group, or no room: alone, where a lost record is counted.
      append_alone(*slot, event, encoded_size(event, snap));
      return;
    }
    out = detail::group_room(group, most);
  }
  std::uint64_t cut = 0;
  group.bytes += static_cast<std::uint32_t>(encode_group_member(event, snap, out, cut));
  ++group.count;
  group.cut += cut;
}

void Recorder::end_group() noexcept {
  // The thread's slot and group are this recorder's only when t_fast says so.
  if (t_fast.recorder == id_) close_thread_group();
}

bool Recorder::prepare_thread() noexcept {
  detail::Slot* slot = claim_thread_slot(g_fork_generation.load(std::memory_order_relaxed));
  if (slot == nullptr) return false;  // no record lost: nothing is counted
  pool_->populate(*slot);
  return true;
}

void Recorder::name_interface(Channel channel, std::uint16_t queue, const std::string& description) {
  writer_->name(channel, queue, description);
}

void Recorder::flush() {
  end_group();
  if (getpid() != owner_) return;  // a forked copy has no writer thread
  std::unique_lock lock(mutex_);
  const std::uint64_t ticket = ++flush_requests_;
  wake_.notify_one();
  done_.wait(lock, [&] { return flushes_done_ >= ticket; });
}

RecorderStatistics Recorder::statistics() const {
  return {writer_->written(), writer_->dropped(), writer_->overwritten(), writer_->bytes()};
}

// Drains the buffers every interval, and at once when flush() or the destructor asks; the
// file is written out every kFileFlushInterval and for each flush.
void Recorder::run_writer() {
  if (options_.writer_nice != 0) {
    // Linux: a thread is a task, so this sets the writer's own nice value only.
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), options_.writer_nice);
  }
  auto last_flush = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto asked = [&] { return stop_ || flush_requests_ > flushes_done_; };
    if (options_.mode == RecorderMode::Flight) {
      wake_.wait(lock, asked);  // a flight recorder's buffers are drained only when asked
    } else {
      wake_.wait_for(lock, options_.interval, asked);
    }
    const bool stopping = stop_;
    const std::uint64_t requested = flush_requests_;
    const bool flush_asked = requested > flushes_done_;
    lock.unlock();
    // Everything recorded before the request (or the stop) is in the buffers now: the
    // request was read under the mutex the requesting thread took after its records.
    writer_->drain(*pool_, lost_without_slot_.load(std::memory_order_relaxed), stopping || flush_asked);
    const auto now = std::chrono::steady_clock::now();
    if (stopping || flush_asked || now - last_flush >= kFileFlushInterval) {
      try {
        writer_->flush();
      } catch (const std::exception& error) {
        std::fprintf(stderr, "vgen trace: %s\n", error.what());
      }
      last_flush = now;
    }
    lock.lock();
    if (flush_asked) {
      flushes_done_ = requested;
      done_.notify_all();
    }
    if (stopping) return;
  }
}

}  // namespace vgen::trace
