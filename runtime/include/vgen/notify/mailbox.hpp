// A notifier modelled on the inter-core mailbox interrupt of an asymmetric multiprocessing
// SoC: a doorbell register in memory both sides share. Here the "register" lives in a
// shared-memory Region, and the futex system call stands in for the interrupt line.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <vgen/notify/notifier.hpp>

namespace vgen::notify {

/// The doorbell register: placed in shared memory (zero-filled memory is the idle state),
/// one per direction. Occupies a whole 64-byte cache line so two registers never share one.
struct alignas(64) MailboxRegister {
  /// 1 while a signal is pending, 0 once the receiver has taken it.
  std::uint32_t doorbell;
  /// Incremented by every signal; the word the receiver sleeps on (futex).
  std::uint32_t sequence;
  /// Fills the cache line; always zero.
  std::byte reserved[56];
};
static_assert(std::is_standard_layout_v<MailboxRegister>);
static_assert(std::is_trivially_copyable_v<MailboxRegister>);
static_assert(sizeof(MailboxRegister) == 64 && alignof(MailboxRegister) == 64);
static_assert(offsetof(MailboxRegister, doorbell) == 0 && offsetof(MailboxRegister, sequence) == 4);

/// Rings and waits on one MailboxRegister. Both peers build their own MailboxNotifier on
/// their own mapping of the same register; the register holds all the state.
class MailboxNotifier final : public Notifier {
 public:
  /// Uses the register at `reg`, which must be non-null and 64-byte aligned (notify::Error
  /// otherwise). The memory must outlive this object.
  explicit MailboxNotifier(MailboxRegister* reg);

  /// Rings the doorbell and wakes any waiter, in this process or another one.
  void signal() override;
  /// Takes a pending doorbell, sleeping up to `timeout` for one to arrive.
  bool wait(std::chrono::nanoseconds timeout) override;

 private:
  MailboxRegister* register_;
};

}  // namespace vgen::notify
