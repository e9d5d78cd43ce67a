// Receiving: take each waiting message, check its header, find its endpoint in constant time,
// run the callback, and give the buffer back right away.
#include <bit>

#include <vgen/notify/handler_thread.hpp>
#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/error.hpp>

#include "dispatch_mark.hpp"

namespace vgen::rpmsg {
namespace {

// Returned buffers are made visible to the peer at least this often within one poll().
constexpr std::size_t kReturnBatch = 16;

// Rate limit for repeated warnings: the 1st, 2nd, 4th, 8th ... occurrence is logged.
bool worth_logging(std::uint64_t count) { return std::has_single_bit(count); }

std::atomic_ref<std::uint64_t> drop_count(const DropReport& report) {
  return std::atomic_ref<std::uint64_t>(const_cast<std::uint64_t&>(report.unknown_destination));
}
std::atomic_ref<std::uint32_t> drop_field(const std::uint32_t& field) {
  return std::atomic_ref<std::uint32_t>(const_cast<std::uint32_t&>(field));
}

}  // namespace

std::size_t Bus::poll() {
  if (shared_) wake_senders();
  const auto lock = rx_lock();
  const detail::DispatchMark mark(this);
  ++dispatch_depth_;
  std::size_t handled = 0;
  try {
    while (handled < options_.poll_budget) {
      const std::optional<RxBuffer> buffer = link_.receive();
      if (!buffer) break;
      dispatch(*buffer);
      link_.release_rx(*buffer);
      if (++handled % kReturnBatch == 0) link_.flush_rx();
    }
  } catch (...) {
    --dispatch_depth_;
    throw;
  }
  if (handled % kReturnBatch != 0) link_.flush_rx();
  if (--dispatch_depth_ == 0) retired_.clear();
  if (options_.feedback.peer != nullptr) check_peer_drops();
  return handled;
}

void Bus::dispatch(const RxBuffer& buffer) {
  const std::uint32_t length = buffer.length;
  if (length < kHeaderSize || length > buffer_size_) {
    reject(buffer, *check_message(length, Header{}, buffer_size_));
    return;
  }
  emit_message(1, {buffer.data, length});
  const Header header = decode_header(buffer.data);
  if (header.length > length - kHeaderSize) {
    reject(buffer, *check_message(length, header, buffer_size_));
    return;
  }
  Endpoint* endpoint = endpoints_.find(header.destination);
  if (endpoint == nullptr) {
    drop_unknown(header);
    return;
  }
  received_.bump();
  deliver(*endpoint, {buffer.data + kHeaderSize, header.length}, header.source);
}

void Bus::reject(const RxBuffer& buffer, const std::string& problem) {
  rejected_messages_.bump();
  const std::uint64_t count = rejected_messages_.get();
  if (worth_logging(count)) {
    log("rejected a received buffer of " + std::to_string(buffer.length) + " bytes: " + problem +
        " (rejected so far: " + std::to_string(count) + ")");
  }
}

void Bus::drop_unknown(const Header& header) {
  unknown_destination_.bump();
  const std::uint64_t count = unknown_destination_.get();
  if (DropReport* report = options_.feedback.local) {
    drop_field(report->last_source).store(header.source, std::memory_order_relaxed);
    drop_field(report->last_destination).store(header.destination, std::memory_order_relaxed);
    drop_count(*report).store(count, std::memory_order_release);
  }
  if (worth_logging(count)) {
    log("dropped a " + std::to_string(header.length) + "-byte message from " + address_text(header.source) + " to " +
        address_text(header.destination) + ": no endpoint is bound there (dropped so far: " + std::to_string(count) +
        ")");
  }
}

void Bus::deliver(Endpoint& endpoint, std::span<const std::byte> payload, std::uint32_t source) {
  // A local channel that does not know its peer yet learns it from the first message.
  if (Channel* channel = endpoint.channel_;
      channel != nullptr && channel->origin_ == ChannelOrigin::Local && channel->destination() == kAnyAddress) {
    channel->destination_.store(source, std::memory_order_relaxed);
  }
  try {
    endpoint.callback_(endpoint, payload, source);
  } catch (const std::exception& e) {
    callback_failures_.bump();
    log("endpoint " + address_text(endpoint.address()) + ": callback failed on a message from " + address_text(source) +
        ": " + e.what());
  }
}

// Reads the peer's drop report; logs when it moved since the last look.
void Bus::check_peer_drops() const {
  const DropReport* report = options_.feedback.peer;
  if (report == nullptr) return;
  const std::uint64_t count = drop_count(*report).load(std::memory_order_acquire);
  std::uint64_t seen = peer_drops_seen_.load(std::memory_order_relaxed);
  if (count == seen) return;
  if (!peer_drops_seen_.compare_exchange_strong(seen, count, std::memory_order_relaxed)) return;
  const std::uint32_t source = drop_field(report->last_source).load(std::memory_order_relaxed);
  const std::uint32_t destination = drop_field(report->last_destination).load(std::memory_order_relaxed);
  log("the peer dropped " + std::to_string(count - seen) + " message(s) this side sent to unbound addresses (" +
      std::to_string(count) + " in all; latest from " + address_text(source) + " to " + address_text(destination) +
      ")");
}

std::size_t Bus::handle_interrupt() {
  std::size_t total = 0;
  while (true) {
    const std::size_t handled = poll();
    total += handled;
    if (handled == options_.poll_budget) continue;  // the budget ran out: more may wait
    bool pending;
    {
      const auto lock = rx_lock();
      pending = link_.arm_rx();  // re-arm, then look once more: nothing slips between
    }
    if (!pending) return total;
  }
}

bool Bus::wait(std::chrono::nanoseconds timeout) {
  if (interrupt_thread_) {
    throw Error(ErrorCode::InvalidState, "bus: wait() while the interrupt thread waits on the same notifier");
  }
  notify::Notifier* incoming = link_.incoming();
  if (incoming == nullptr) return true;  // a busy-polling peer never signals: go and poll
  {
    const auto lock = rx_lock();
    link_.flush_rx();
    if (link_.arm_rx()) {
      if (!shared_) link_.disarm_rx();
      return true;
    }
  }
  const bool woken = incoming->wait(timeout);
  if (!shared_) {
    const auto lock = rx_lock();
    link_.disarm_rx();
  }
  return woken;
}

}  // namespace vgen::rpmsg
