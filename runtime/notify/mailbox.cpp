#include <vgen/notify/mailbox.hpp>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <ctime>
#include <sstream>

#include "system_error.hpp"

namespace vgen::notify {
namespace {

using Clock = std::chrono::steady_clock;
using Word = std::atomic_ref<std::uint32_t>;

// Another process reads and writes the same words, which is only sound when the atomics
// are implemented by instructions rather than by a lock private to this process.
static_assert(Word::is_always_lock_free);
static_assert(alignof(MailboxRegister) % Word::required_alignment == 0);

// The futex operations are used without FUTEX_PRIVATE_FLAG: the kernel then keys the wait
// queue on the shared file and offset, so a wake in one process reaches a waiter in another
// that maps the same memfd at a different address.
long futex(std::uint32_t* word, int operation, std::uint32_t value, const timespec* timeout) {
  return ::syscall(SYS_futex, word, operation, value, timeout, nullptr, 0);
}

timespec to_timespec(Clock::duration duration) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration);
  const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(duration - seconds);
  return timespec{static_cast<time_t>(seconds.count()), static_cast<long>(nanoseconds.count())};
}

std::string address_text(const void* address) {
  std::ostringstream out;
  out << address;
  return out.str();
}

}  // namespace

MailboxNotifier::MailboxNotifier(MailboxRegister* reg) : register_(reg) {
  if (reg == nullptr) throw Error("mailbox notifier: register address is null");
  const auto address = reinterpret_cast<std::uintptr_t>(reg);
  if (address % alignof(MailboxRegister) != 0) {
    throw Error("mailbox notifier: register address " + address_text(reg) + " is not " +
                std::to_string(alignof(MailboxRegister)) + "-byte aligned (offset " +
                std::to_string(address % alignof(MailboxRegister)) + ")");
  }
}

// The doorbell is set before the sequence moves. A waiter reads the sequence, then checks
// the doorbell, then sleeps only while the sequence is unchanged: if it missed the doorbell,
// the increment that follows either changes the word before it sleeps (FUTEX_WAIT returns
// EAGAIN) or comes with the FUTEX_WAKE that ends the sleep. The reverse order could lose it.
void MailboxNotifier::signal() {
  Word(register_->doorbell).store(1);
  Word(register_->sequence).fetch_add(1);
  if (futex(&register_->sequence, FUTEX_WAKE, INT_MAX, nullptr) < 0) {
    detail::throw_system("mailbox notifier: FUTEX_WAKE failed", errno);
  }
  count_signal();
}

bool MailboxNotifier::wait(std::chrono::nanoseconds timeout) {
  const Clock::time_point deadline = Clock::now() + std::max(timeout, std::chrono::nanoseconds::zero());
  while (true) {
    const std::uint32_t sequence = Word(register_->sequence).load();
    if (Word(register_->doorbell).exchange(0) != 0) return true;
    const Clock::duration remaining = deadline - Clock::now();
    if (remaining <= Clock::duration::zero()) return false;
    const timespec relative = to_timespec(remaining);
    if (futex(&register_->sequence, FUTEX_WAIT, sequence, &relative) < 0) {
      // EAGAIN: the sequence moved before we slept; EINTR: a signal handler ran;
      // ETIMEDOUT: the deadline passed. Each goes round for a last look at the doorbell.
      if (errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT) {
        detail::throw_system("mailbox notifier: FUTEX_WAIT failed", errno);
      }
    }
  }
}

}  // namespace vgen::notify
