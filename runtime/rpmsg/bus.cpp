// The bus's construction, logging, statistics, link state and interrupt thread. Endpoints,
// channels, sending and receiving live in the bus_*.cpp files next to this one.
#include <vgen/rpmsg/bus.hpp>

#include <cstdio>

#include <vgen/notify/handler_thread.hpp>
#include <vgen/rpmsg/error.hpp>

namespace vgen::rpmsg {

const char* to_string(Threading threading) noexcept { return threading == Threading::Single ? "single" : "shared"; }

Bus::Bus(Link& link, BusOptions options)
    : link_(link),
      options_(std::move(options)),
      shared_(options_.threading == Threading::Shared),
      buffer_size_(link.buffer_size()),
      max_payload_(link.buffer_size() - kHeaderSize) {
  if (options_.poll_budget == 0) throw Error(ErrorCode::InvalidConfig, "bus: poll budget is 0");
  if (options_.name_service && buffer_size_ < kMinNameServiceBufferSize) {
    throw Error(ErrorCode::InvalidConfig, "bus: the name service needs buffers of at least " +
                                              std::to_string(kMinNameServiceBufferSize) + " bytes, not " +
                                              std::to_string(buffer_size_));
  }
  if (options_.name_service) {
    bind_endpoint([this](Endpoint&, std::span<const std::byte> payload,
                         std::uint32_t source) { on_announcement(payload, source); },
                  kNameServiceAddress);
  }
  // Transmit-buffer returns are only signalled while a sender waits. Arrivals are signalled
  // all the time in Shared mode (an interrupt thread waits for them) and only around wait()
  // in Single mode.
  link_.disarm_tx();
  if (shared_) {
    link_.arm_rx();
  } else {
    link_.disarm_rx();
  }
}

Bus::~Bus() {
  try {
    stop_interrupt_thread();
  } catch (const std::exception& e) {
    log(std::string("interrupt thread had failed: ") + e.what());
  }
  const auto lock = rx_lock();
  for (const auto& channel : channels_) {
    if (channel->driver_ != nullptr) unbind_driver(*channel);
  }
  for (Driver* driver : drivers_) std::erase(driver->buses_, this);
}

std::unique_lock<std::recursive_mutex> Bus::rx_lock() const {
  return shared_ ? std::unique_lock<std::recursive_mutex>(rx_mutex_) : std::unique_lock<std::recursive_mutex>();
}

std::unique_lock<std::mutex> Bus::tx_lock() const {
  return shared_ ? std::unique_lock<std::mutex>(tx_mutex_) : std::unique_lock<std::mutex>();
}

void Bus::log(const std::string& line) const {
  const std::string full = std::string("rpmsg ") + to_string(link_.side()) + ": " + line;
  if (options_.log) {
    options_.log(full);
  } else {
    std::fprintf(stderr, "%s\n", full.c_str());
  }
}

void Bus::emit_message(std::uint16_t direction, std::span<const std::byte> bytes) const noexcept {
  if (options_.trace == nullptr) return;
  trace::Event event{trace::EventKind::RpmsgMessage, 0, direction};
  event.bytes = bytes;
  options_.trace->record(event);
}

void Bus::emit_channel(const Channel& channel, bool present) const noexcept {
  if (options_.trace == nullptr) return;
  trace::Event event{trace::EventKind::StateChanged};
  event.channel = trace::Channel::Rpmsg;
  event.index = channel.source();
  event.a = present ? 0 : 1;
  event.b = present ? 1 : 0;
  options_.trace->record(event);
}

Statistics Bus::statistics() const {
  check_peer_drops();
  Statistics s;
  s.sent = sent_.get();
  s.received = received_.get();
  s.unknown_destination = unknown_destination_.get();
  s.rejected_messages = rejected_messages_.get();
  s.rejected_announcements = rejected_announcements_.get();
  s.rejected_buffers = link_.rejected_buffers();
  s.callback_failures = callback_failures_.get();
  s.send_timeouts = send_timeouts_.get();
  s.send_would_block = send_would_block_.get();
  s.peer_unknown_destination = peer_drops_seen_.load(std::memory_order_relaxed);
  return s;
}

void Bus::link_down() {
  const auto lock = rx_lock();
  link_up_.store(false, std::memory_order_release);
  // Erasing while iterating: go by index from the back.
  for (std::size_t i = channels_.size(); i > 0; --i) {
    Channel& channel = *channels_[i - 1];
    if (channel.origin_ == ChannelOrigin::Peer) {
      erase_channel(channel);
    } else {
      channel.destination_.store(kAnyAddress, std::memory_order_relaxed);
    }
  }
  wake_senders();
  log("link down: peer channels removed");
}

void Bus::link_up() {
  const auto lock = rx_lock();
  link_up_.store(true, std::memory_order_release);
  link_.disarm_tx();
  if (shared_) link_.arm_rx();
  log("link up");
  for (const auto& channel : channels_) {
    if (channel->announced_) announce(*channel, AnnouncementKind::Create);
  }
}

void Bus::start_interrupt_thread(std::chrono::nanoseconds poll_interval) {
  if (!shared_) throw Error(ErrorCode::InvalidState, "bus: an interrupt thread needs Threading::Shared");
  notify::Notifier* incoming = link_.incoming();
  if (incoming == nullptr) throw Error(ErrorCode::InvalidState, "bus: the link has no incoming notifier to wait on");
  if (interrupt_thread_) throw Error(ErrorCode::InvalidState, "bus: the interrupt thread runs already");
  interrupt_thread_ = std::make_unique<notify::HandlerThread>(
      *incoming, [this] { handle_interrupt(); }, poll_interval);
}

void Bus::stop_interrupt_thread() {
  if (!interrupt_thread_) return;
  const std::unique_ptr<notify::HandlerThread> thread = std::move(interrupt_thread_);
  thread->stop();
}

int Bus::pollable_fd() const noexcept {
  const notify::Notifier* incoming = link_.incoming();
  return incoming != nullptr ? incoming->pollable_fd() : -1;
}

}  // namespace vgen::rpmsg
