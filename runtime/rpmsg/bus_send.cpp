// Sending: copy header and payload into a transmit buffer and hand it to the link, waiting
// for a buffer when the peer holds them all.
#include <algorithm>
#include <cstring>
#include <thread>

#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/error.hpp>

#include "dispatch_mark.hpp"

namespace vgen::rpmsg {
namespace {

using Clock = std::chrono::steady_clock;

// One sleep of a waiting sender at most; it loops for longer timeouts (and so never hands a
// notifier a timeout that overflows when added to the current time).
constexpr std::chrono::hours kLongestSleep{1};

Clock::time_point deadline_after(std::chrono::nanoseconds timeout) {
  const Clock::time_point now = Clock::now();
  if (timeout <= std::chrono::nanoseconds::zero()) return now;
  if (timeout >= Clock::time_point::max() - now) return Clock::time_point::max();
  return now + std::chrono::duration_cast<Clock::duration>(timeout);
}

}  // namespace

namespace detail {
thread_local const Bus* dispatching_bus = nullptr;
}  // namespace detail

bool Bus::send(std::uint32_t source, std::uint32_t destination, std::span<const std::byte> payload,
               std::chrono::nanoseconds timeout) {
  return transmit(source, destination, payload, true, timeout);
}

bool Bus::try_send(std::uint32_t source, std::uint32_t destination, std::span<const std::byte> payload) {
  return transmit(source, destination, payload, false, {});
}

void Bus::check_send(std::uint32_t source, std::uint32_t destination, std::size_t length) const {
  if (length > max_payload_) {
    throw Error(ErrorCode::PayloadTooLarge, "send from " + address_text(source) + " to " + address_text(destination) +
                                                ": payload of " + std::to_string(length) + " bytes exceeds " +
                                                std::to_string(max_payload_) + " (buffer size " +
                                                std::to_string(buffer_size_) + " minus the 16-byte header)");
  }
  if (source == kAnyAddress) {
    throw Error(ErrorCode::InvalidAddress, "send to " + address_text(destination) + ": source address is any");
  }
  if (destination == kAnyAddress) {
    throw Error(ErrorCode::NoDestination,
                "send from " + address_text(source) + ": no destination (the channel's peer is not known yet)");
  }
  if (!link_is_up()) {
    throw Error(ErrorCode::LinkDown, "send from " + address_text(source) + " to " + address_text(destination) +
                                         ": the link is down (peer being reset)");
  }
}

bool Bus::transmit(std::uint32_t source, std::uint32_t destination, std::span<const std::byte> payload, bool wait,
                   std::chrono::nanoseconds timeout) {
  check_send(source, destination, payload.size());
  std::unique_lock<std::mutex> lock = tx_lock();
  std::optional<TxBuffer> buffer = link_.acquire_tx();
  if (!buffer) {
    if (!wait) {
      send_would_block_.bump();
      return false;
    }
    buffer = wait_for_tx(lock, deadline_after(timeout));
    if (!buffer) {
      send_timeouts_.bump();
      return false;
    }
  }
  encode_header({source, destination, 0, static_cast<std::uint16_t>(payload.size()), 0}, buffer->data);
  if (!payload.empty()) std::memcpy(buffer->data + kHeaderSize, payload.data(), payload.size());
  emit_message(0, {buffer->data, kHeaderSize + payload.size()});
  link_.submit_tx(*buffer, kHeaderSize + static_cast<std::uint32_t>(payload.size()));
  sent_.bump();
  return true;
}

// The sleep protocol of docs/virtqueue.md for transmit buffers: arm, re-check, sleep, disarm.
std::optional<TxBuffer> Bus::wait_for_tx(std::unique_lock<std::mutex>& lock, Clock::time_point deadline) {
  notify::Notifier* incoming = link_.incoming();
  const bool self_service = !shared_ || detail::dispatching_bus == this;
  while (true) {
    if (!link_is_up()) throw Error(ErrorCode::LinkDown, "send: the link went down while waiting for a buffer");
    if (shared_) ++tx_waiters_;
    const bool ready = link_.arm_tx();
    if (!ready && Clock::now() < deadline) {
      if (!self_service) {
        const std::uint64_t seen = tx_wakeups_;
        tx_ready_.wait_until(lock, deadline, [&] { return tx_wakeups_ != seen; });
      } else if (incoming != nullptr) {
        // Buffers this side has taken but not yet returned must reach the peer first: it may
        // be waiting for them before it can return ours.
        link_.flush_rx();
        incoming->wait(std::min<Clock::duration>(deadline - Clock::now(), kLongestSleep));
      } else {
        std::this_thread::yield();  // a busy-polling peer returns buffers without a signal
      }
    }
    if (shared_) --tx_waiters_;
    link_.disarm_tx();
    if (std::optional<TxBuffer> buffer = link_.acquire_tx()) return buffer;
    if (Clock::now() >= deadline) return std::nullopt;
  }
}

// Called by poll() in Shared mode: wakes waiting senders once a buffer is back.
void Bus::wake_senders() {
  const std::unique_lock<std::mutex> lock = tx_lock();
  if (tx_waiters_ == 0 && link_is_up()) return;
  if (link_is_up() && !link_.tx_available()) return;
  ++tx_wakeups_;
  tx_ready_.notify_all();
}

}  // namespace vgen::rpmsg
