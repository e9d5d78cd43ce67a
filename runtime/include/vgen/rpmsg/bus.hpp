// The rpmsg bus of one side: endpoints by address, channels by name, drivers matched to the
// peer's announcements, the name service at 0x35, and the send and receive paths over a Link.
// The same code serves the host (over a HostLink) and the remote (over a RemoteLink).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <vgen/rpmsg/channel.hpp>
#include <vgen/rpmsg/driver.hpp>
#include <vgen/rpmsg/endpoint.hpp>
#include <vgen/rpmsg/endpoint_table.hpp>
#include <vgen/rpmsg/link.hpp>
#include <vgen/rpmsg/statistics.hpp>
#include <vgen/rpmsg/wire.hpp>
#include <vgen/trace/hooks.hpp>

namespace vgen::notify {
class HandlerThread;
}

namespace vgen::rpmsg {

/// How the bus is used.
enum class Threading {
  /// One thread makes every call, and callbacks run inside its poll(). No lock is taken
  /// anywhere; a blocked sender waits on the link's incoming notifier itself.
  Single,
  /// Any thread may send, create and destroy; receiving runs under a lock, and a blocked
  /// sender sleeps until whoever polls (normally the interrupt thread) sees buffers return.
  Shared,
};

/// "single" / "shared".
const char* to_string(Threading threading) noexcept;

/// Receives each log line (already prefixed "rpmsg host: " or "rpmsg remote: ").
using LogSink = std::function<void(const std::string& line)>;

/// Settings of a bus.
struct BusOptions {
  Threading threading = Threading::Single;
  /// VIRTIO_RPMSG_F_NS was negotiated: bind the name service at 0x35, announce local
  /// channels, and create channels from the peer's announcements.
  bool name_service = true;
  /// How long blocking sends without a timeout of their own wait for a buffer.
  std::chrono::nanoseconds send_timeout = std::chrono::seconds(15);
  /// Most messages one poll() handles.
  std::uint32_t poll_budget = 256;
  /// Where log lines go; empty: standard error.
  LogSink log;
  /// The shared drop reports, if both sides are vgen and the layout has them.
  Feedback feedback;
  /// Channel events (EventKind::StateChanged, index = the channel's local address, a = 1 and
  /// b = 0 when it goes, a = 0 and b = 1 when it comes) and every message sent and received
  /// (EventKind::RpmsgMessage: head 0 sent, 1 received; header and payload); null for none.
  trace::TraceSink* trace = nullptr;
};

/// One side's bus. See docs/rpmsg.md for the threading rules in full.
class Bus {
 public:
  /// Binds the name service (when enabled) and sets the link's notification state. The link
  /// must outlive the bus. rpmsg::Error(InvalidConfig) when the name service is enabled on
  /// buffers too small for an announcement, or for a poll budget of 0.
  Bus(Link& link, BusOptions options = {});
  /// Stops the interrupt thread, calls remove() for every bound channel (nothing is sent to
  /// the peer), unregisters every driver and destroys every endpoint.
  ~Bus();
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // --- endpoints ----------------------------------------------------------------------------
  /// Binds `callback` at `address`, or at the lowest free dynamic address (from 1024) for
  /// kAnyAddress. rpmsg::Error: InvalidAddress for an address below 1024, AddressInUse,
  /// InvalidConfig for an empty callback.
  Endpoint& create_endpoint(EndpointCallback callback, std::uint32_t address = kAnyAddress);
  /// Unbinds and frees `endpoint`; no callback of it runs after this returns (except the one
  /// running on this very thread, when called from it). A channel's default endpoint goes
  /// with its channel: rpmsg::Error(InvalidState). NotFound for another bus's endpoint.
  void destroy_endpoint(Endpoint& endpoint);
  /// The endpoint at `address`, or null.
  Endpoint* find_endpoint(std::uint32_t address) const;
  /// Number of bound endpoints (the name service included).
  std::size_t endpoint_count() const;

  // --- channels -----------------------------------------------------------------------------
  /// Creates a local channel `name` whose default endpoint (at `address`, dynamic for
  /// kAnyAddress) calls `callback`, towards `destination` (kAnyAddress: learned later), and
  /// with the name service, announces it to the peer (a blocking send with the send timeout).
  /// rpmsg::Error: InvalidName, ChannelExists (a local channel of that name exists), the
  /// errors of create_endpoint(), Timeout or LinkDown when the announcement cannot be sent
  /// (the channel is not created then).
  Channel& create_channel(const std::string& name, EndpointCallback callback, std::uint32_t address = kAnyAddress,
                          std::uint32_t destination = kAnyAddress, bool announce = true);
  /// Removes `channel`: calls its driver's remove(), destroys its endpoint, and for an
  /// announced local channel tells the peer (a destroy announcement; a failure is logged).
  /// rpmsg::Error(NotFound) for a channel of another bus.
  void destroy_channel(Channel& channel);
  /// The first channel named `name`, or null.
  Channel* find_channel(std::string_view name) const;
  /// Every channel, oldest first.
  std::vector<Channel*> channels() const;

  // --- drivers ------------------------------------------------------------------------------
  /// Registers `driver` and binds it to every unbound peer channel it matches.
  /// rpmsg::Error(InvalidState) if it is registered already.
  void register_driver(Driver& driver);
  /// Removes the driver from every channel it is bound to, then forgets it. NotFound if it
  /// is not registered.
  void unregister_driver(Driver& driver);

  // --- sending ------------------------------------------------------------------------------
  /// Sends `payload` from `source` to `destination`, waiting up to `timeout` for a transmit
  /// buffer; false if none came. Throws rpmsg::Error as described for Endpoint.
  [[nodiscard]] bool send(std::uint32_t source, std::uint32_t destination, std::span<const std::byte> payload,
                          std::chrono::nanoseconds timeout);
  /// The same without waiting: false at once when no buffer is free.
  [[nodiscard]] bool try_send(std::uint32_t source, std::uint32_t destination, std::span<const std::byte> payload);
  /// Largest payload: buffer size minus the 16-byte header.
  std::uint32_t max_payload() const noexcept { return max_payload_; }

  // --- receiving ----------------------------------------------------------------------------
  /// Delivers up to the poll budget of waiting messages to their endpoints, giving each
  /// buffer back to the peer right after its callback; returns how many buffers it took.
  /// Bad messages are dropped and counted, never thrown; a virtqueue::Error (the peer broke
  /// the ring) propagates. In Shared mode it also wakes senders waiting for a buffer.
  std::size_t poll();
  /// poll() until nothing waits, re-arming the link's notifications between rounds so that
  /// no signal is lost: what an interrupt handler runs. Notifications stay armed afterwards.
  /// Returns the messages handled.
  std::size_t handle_interrupt();
  /// Sleeps until the peer signals or `timeout` passes, after arming the link; returns at
  /// once (true) if a message already waits or the link has no incoming notifier. Not while
  /// the interrupt thread runs (rpmsg::Error(InvalidState)).
  bool wait(std::chrono::nanoseconds timeout);
  /// Shared mode: starts a thread that waits on the incoming notifier and runs
  /// handle_interrupt() for each signal. rpmsg::Error(InvalidState) in Single mode, without an
  /// incoming notifier, or when it runs already.
  void start_interrupt_thread(std::chrono::nanoseconds poll_interval = std::chrono::milliseconds(10));
  /// Stops the interrupt thread (if running); rethrows what ended it early, if anything did.
  void stop_interrupt_thread();
  /// The incoming notifier's file descriptor for poll/epoll loops (-1 if it has none).
  int pollable_fd() const noexcept;

  // --- link state ---------------------------------------------------------------------------
  /// The peer is being reset: removes every peer channel (drivers' remove() runs), forgets the
  /// peer addresses of local channels and makes sends fail with LinkDown, waking blocked ones.
  void link_down();
  /// The link works again (its owner restarted it): sends are allowed, and local channels
  /// that were announced are announced again. Throws like create_channel() if that fails.
  void link_up();
  /// False between link_down() and link_up().
  bool link_is_up() const noexcept { return link_up_.load(std::memory_order_acquire); }

  // --- state --------------------------------------------------------------------------------
  /// The counters, including what the peer's drop report says about this side's messages.
  Statistics statistics() const;
  /// Host or remote.
  Side side() const noexcept { return link_.side(); }
  /// The link.
  Link& link() noexcept { return link_; }
  /// The settings.
  const BusOptions& options() const noexcept { return options_; }

 private:
  friend class Endpoint;
  friend class Channel;
  friend class Driver;

  // A relaxed counter with one writer at a time (the holder of the rx or tx role).
  struct Counter {
    std::atomic<std::uint64_t> value{0};
    void bump() noexcept { value.store(value.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
    std::uint64_t get() const noexcept { return value.load(std::memory_order_relaxed); }
  };

  std::unique_lock<std::recursive_mutex> rx_lock() const;
  std::unique_lock<std::mutex> tx_lock() const;
  void log(const std::string& line) const;
  void emit_channel(const Channel& channel, bool present) const noexcept;
  /// Traces one message as it crossed the link (`direction` 0 sent, 1 received): its header and payload.
  void emit_message(std::uint16_t direction, std::span<const std::byte> bytes) const noexcept;

  // endpoints (rx role held)
  Endpoint& bind_endpoint(EndpointCallback callback, std::uint32_t address);
  void unbind_endpoint(Endpoint& endpoint);
  std::uint32_t allocate_address();

  // channels and drivers (rx role held)
  Channel& add_channel(const std::string& name, ChannelOrigin origin, std::uint32_t destination);
  void erase_channel(Channel& channel);
  bool bind_driver(Channel& channel, Driver& driver);
  void unbind_driver(Channel& channel, bool call_remove = true);
  void forget_driver(Driver& driver);
  void probe_drivers(Channel& channel);
  void announce(const Channel& channel, AnnouncementKind kind);
  void on_announcement(std::span<const std::byte> payload, std::uint32_t source);
  void on_create(const Announcement& announcement);
  void on_destroy(const Announcement& announcement);
  Channel* find_channel_locked(std::string_view name, ChannelOrigin origin, std::uint32_t destination) const;
  Channel& owned_channel(Channel& channel, const char* action) const;

  // sending
  bool transmit(std::uint32_t source, std::uint32_t destination, std::span<const std::byte> payload, bool wait,
                std::chrono::nanoseconds timeout);
  void check_send(std::uint32_t source, std::uint32_t destination, std::size_t length) const;
  std::optional<TxBuffer> wait_for_tx(std::unique_lock<std::mutex>& lock,
                                      std::chrono::steady_clock::time_point deadline);
  void wake_senders();

  // receiving (rx role held)
  void dispatch(const RxBuffer& buffer);
  void reject(const RxBuffer& buffer, const std::string& problem);
  void drop_unknown(const Header& header);
  void deliver(Endpoint& endpoint, std::span<const std::byte> payload, std::uint32_t source);
  void check_peer_drops() const;

  Link& link_;
  BusOptions options_;
  const bool shared_;
  const std::uint32_t buffer_size_;
  const std::uint32_t max_payload_;
  std::atomic<bool> link_up_{true};

  // The rx role: receiving, endpoints, channels, drivers.
  mutable std::recursive_mutex rx_mutex_;
  EndpointTable endpoints_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::vector<Driver*> drivers_;
  std::set<std::uint32_t> released_addresses_;
  std::uint32_t next_address_ = kFirstDynamicAddress;
  std::vector<std::unique_ptr<Endpoint>> retired_;  // destroyed during their own callback
  unsigned dispatch_depth_ = 0;

  // The tx role: sending and waiting for buffers.
  mutable std::mutex tx_mutex_;
  std::condition_variable tx_ready_;
  std::uint64_t tx_wakeups_ = 0;
  std::uint32_t tx_waiters_ = 0;

  Counter sent_, received_, unknown_destination_, rejected_messages_, rejected_announcements_, callback_failures_,
      send_timeouts_, send_would_block_;
  mutable std::atomic<std::uint64_t> peer_drops_seen_{0};
  std::unique_ptr<notify::HandlerThread> interrupt_thread_;
};

}  // namespace vgen::rpmsg
