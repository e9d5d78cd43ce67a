#include "vgen/trace_tap/tap.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <vgen/format.hpp>
#include <vgen/vhost_user/channel.hpp>
#include <vgen/vhost_user/error.hpp>
#include <vgen/vhost_user/memory_table.hpp>
#include <vgen/vhost_user/message.hpp>
#include <vgen/vhost_user/protocol.hpp>
#include <vgen/virtqueue/error.hpp>
#include <vgen/virtqueue/observed_guest_memory.hpp>
#include <vgen/virtqueue/ring_observer.hpp>

namespace vgen::trace_tap {
namespace {

using vhost_user::Error;
using vhost_user::ErrorCode;
using vhost_user::Message;
using vhost_user::Request;
using vhost_user::UniqueFd;

// Rings the tap follows per connection (SET_VRING_* carry the index in 8 bits).
constexpr std::uint32_t kMaxRings = 256;

UniqueFd make_eventfd() {
  UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd) vhost_user::fail_system("eventfd()", errno);
  return fd;
}

UniqueFd duplicate(int fd) {
  UniqueFd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
  if (!copy) vhost_user::fail_system("dup of a forwarded fd", errno);
  return copy;
}

// Reads an eventfd's counter (0 when nothing was signalled).
std::uint64_t drain(int fd) noexcept {
  std::uint64_t value = 0;
  return ::read(fd, &value, sizeof value) == static_cast<ssize_t>(sizeof value) ? value : 0;
}

void signal_eventfd(int fd) noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(fd, &one, sizeof one);
}

UniqueFd connect_unix(const std::string& path, std::chrono::milliseconds wait) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    throw Error(ErrorCode::System, "back-end socket path '" + path + "' is empty or longer than " +
                                       std::to_string(sizeof(address.sun_path) - 1) + " bytes");
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket) vhost_user::fail_system("socket()", errno);
    if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) return socket;
    const int error = errno;
    if ((error != ENOENT && error != ECONNREFUSED) || std::chrono::steady_clock::now() >= deadline) {
      vhost_user::fail_system("connecting to the back end at " + path, error);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The payload of `message` as one T, or Error(Malformed) naming the sender and the sizes.
template <class T>
T payload_as(const Message& message, const std::string& sender) {
  try {
    return vhost_user::payload_as<T>(message);
  } catch (const Error& error) {
    throw Error(ErrorCode::Malformed, sender + ": " + error.what());
  }
}

}  // namespace

// One front end's connection and the back-end connection made for it.
class Tap::Session {
 public:
  Session(Tap& tap, UniqueFd front, UniqueFd back, std::uint32_t number)
      : tap_(tap),
        front_(std::move(front)),
        back_(std::move(back)),
        number_(number),
        memory_(false),
        observed_(memory_.guest()) {
    rings_.resize(kMaxRings);
  }

  // Passes messages on until a side closes, stop() or an error (thrown).
  void run();
  // Closes the tap's side of the back-end connection and waits (at most `wait`) until the back
  // end has closed its own, so the next front end's connection does not reach a back end still
  // busy with this one (a back end serving one front end at a time would turn it away).
  void release_back_end(std::chrono::milliseconds wait);

 private:
  // One ring as the tap knows it.
  struct Ring {
    std::uint16_t size = 0;
    std::optional<vhost_user::VringAddress> address;
    std::uint16_t base = 0;
    bool started = false;
    bool reported = false;  // why it is not observed was logged
    UniqueFd front_kick;    // the front end's kick eventfd, polled here
    UniqueFd back_kick;     // the tap's, handed to the back end, signalled here
    UniqueFd front_call;    // the front end's call eventfd, signalled here
    UniqueFd back_call;     // the tap's, handed to the back end, polled here
    std::unique_ptr<virtqueue::RingObserver> observer;
  };

  void from_front(Message message);
  void from_back(Message message);
  void record(const Message& message, std::uint16_t head, std::uint32_t index);
  void forward(int socket, const Message& message, const char* to);
  void observe(std::uint32_t index, std::optional<std::uint16_t> next_used = std::nullopt);
  void scan(std::uint32_t index);
  void scan_all();
  void remap_all();
  void stop_ring(std::uint32_t index);
  void set_mem_table(const Message& message);
  void memory_region(const Message& message, bool add);
  Ring& ring(std::uint32_t index, const Message& message);
  void kicked(std::uint32_t index);
  void called(std::uint32_t index);
  void warn(const std::string& line) { tap_.log("connection " + std::to_string(number_) + ": " + line); }

  Tap& tap_;
  UniqueFd front_;
  UniqueFd back_;
  std::uint32_t number_;
  vhost_user::MemoryTable memory_;           // the front end's regions, mapped read-only
  virtqueue::ObservedGuestMemory observed_;  // memory_ as the ring observers read it
  std::vector<Ring> rings_;
  UniqueFd channel_front_;  // the front end's end of the back-end channel
  UniqueFd channel_back_;   // the tap's end of the pair whose other end the back end got
};

void Tap::Session::record(const Message& message, std::uint16_t head, std::uint32_t index) {
  std::vector<std::byte> bytes(vhost_user::kHeaderBytes + message.payload.size());
  const auto header = vhost_user::encode_header(message.header);
  std::memcpy(bytes.data(), header.data(), header.size());
  if (!message.payload.empty())
    std::memcpy(bytes.data() + header.size(), message.payload.data(), message.payload.size());
  trace::Event event{trace::EventKind::VhostUserMessage, 0, head, index, message.fds.size(), 0};
  event.bytes = bytes;
  tap_.sink_.record(event);
  ++tap_.statistics_.messages;
}

void Tap::Session::forward(int socket, const Message& message, const char* to) {
  try {
    vhost_user::write_message(socket, message);
  } catch (const Error& error) {
    throw Error(ErrorCode::System, std::string("passing on to ") + to + ": " + error.what());
  }
}

Tap::Session::Ring& Tap::Session::ring(std::uint32_t index, const Message& message) {
  if (index >= kMaxRings) {
    throw Error(ErrorCode::Invalid, "the front end: " + message.name() + ": ring " + std::to_string(index) +
                                        " past the " + std::to_string(kMaxRings) + " rings vhost-user can address");
  }
  return rings_[index];
}

// Starts observing a started ring when everything it needs is known; logs once why not.
void Tap::Session::observe(std::uint32_t index, std::optional<std::uint16_t> next_used) {
  Ring& r = rings_[index];
  r.observer.reset();
  if (!r.started) return;
  std::string why;
  if (r.size == 0 || !r.address) {
    why = "its size or addresses were not given";
  } else if (memory_.size() == 0) {
    why = "no memory regions are mapped";
  } else {
    const std::uint64_t size = r.size;
    const auto desc = memory_.user_to_guest(r.address->desc, 16 * size);
    const auto avail = memory_.user_to_guest(r.address->avail, 6 + 2 * size);
    const auto used = memory_.user_to_guest(r.address->used, 6 + 8 * size);
    if (!desc || !avail || !used) {
      why = "its addresses (desc " + hex(r.address->desc) + ", avail " + hex(r.address->avail) + ", used " +
            hex(r.address->used) + ") are not inside the mapped regions";
    } else {
      virtqueue::ObservedRing ring;
      ring.size = r.size;
      ring.addresses = {*desc, *avail, *used};
      ring.queue = static_cast<std::uint16_t>(index);
      ring.snap = tap_.options_.snap;
      ring.first_avail = r.base;  // SET_VRING_BASE: where the back end starts
      ring.first_used = next_used;
      ring.on_broken_rule = virtqueue::OnBrokenRule::Stop;
      try {
        r.observer = std::make_unique<virtqueue::RingObserver>(observed_, tap_.sink_, ring);
      } catch (const virtqueue::Error& error) {
        why = error.what();
      }
    }
  }
  if (!why.empty() && !r.reported) {
    warn("ring " + std::to_string(index) + " is not observed: " + why);
    r.reported = true;
  }
}

void Tap::Session::scan(std::uint32_t index) {
  Ring& r = rings_[index];
  if (!r.observer || r.observer->broken()) return;
  const std::uint64_t avail = r.observer->avail_seen();
  const std::uint64_t used = r.observer->used_seen();
  r.observer->poll();
  tap_.statistics_.chains += r.observer->avail_seen() - avail;
  tap_.statistics_.used += r.observer->used_seen() - used;
  if (r.observer->broken() && !r.reported) {
    warn("ring " + std::to_string(index) + " is no longer observed: " + r.observer->error());
    r.reported = true;
  }
}

void Tap::Session::scan_all() {
  for (std::uint32_t i = 0; i < kMaxRings; ++i) scan(i);
}

// After a memory table change: every started ring observed again from where it was.
void Tap::Session::remap_all() {
  for (std::uint32_t i = 0; i < kMaxRings; ++i) {
    Ring& r = rings_[i];
    if (!r.started) continue;
    std::optional<std::uint16_t> next_used;
    if (r.observer && !r.observer->broken()) {
      r.base = r.observer->next_avail();
      next_used = r.observer->next_used();
    }
    r.reported = false;
    observe(i, next_used);
  }
}

void Tap::Session::stop_ring(std::uint32_t index) {
  scan(index);
  Ring& r = rings_[index];
  r.started = false;
  r.reported = false;
  r.observer.reset();
}

void Tap::Session::set_mem_table(const Message& message) {
  using vhost_user::MemoryRegionDescription;
  using vhost_user::MemoryTableHeader;
  const std::string what = "the front end: " + message.name();
  if (message.payload.size() < sizeof(MemoryTableHeader)) {
    throw Error(ErrorCode::Malformed, what + ": payload of " + std::to_string(message.payload.size()) +
                                          " bytes, shorter than its 8-byte header");
  }
  MemoryTableHeader header;
  std::memcpy(&header, message.payload.data(), sizeof header);
  if (header.count == 0 || header.count > vhost_user::kMaxTableRegions ||
      message.payload.size() != sizeof header + header.count * sizeof(MemoryRegionDescription) ||
      message.fds.size() != header.count) {
    throw Error(ErrorCode::Malformed, what + ": " + std::to_string(header.count) + " regions in a payload of " +
                                          std::to_string(message.payload.size()) + " bytes with " +
                                          std::to_string(message.fds.size()) +
                                          " file descriptors (1 to 8 regions of 32 bytes, one fd each)");
  }
  scan_all();  // what the rings hold before the old regions go
  for (Ring& r : rings_) r.observer.reset();
  memory_.clear();
  for (std::uint32_t i = 0; i < header.count; ++i) {
    MemoryRegionDescription region;
    std::memcpy(&region, message.payload.data() + sizeof header + i * sizeof region, sizeof region);
    try {
      memory_.add(region, duplicate(message.fds[i].get()), "region " + std::to_string(i));
    } catch (const Error& error) {
      warn(message.name() + ": not mapped, its buffers are not recorded: " + error.what());
    }
  }
  remap_all();
}

void Tap::Session::memory_region(const Message& message, bool add) {
  const auto single = payload_as<vhost_user::SingleMemoryRegion>(message, "the front end");
  if (add && message.fds.size() != 1) {
    throw Error(ErrorCode::Malformed, "the front end: " + message.name() + ": " + std::to_string(message.fds.size()) +
                                          " file descriptors attached, expected 1");
  }
  scan_all();
  for (Ring& r : rings_) r.observer.reset();
  try {
    if (add) {
      memory_.add(single.region, duplicate(message.fds[0].get()), message.name());
    } else {
      memory_.remove(single.region, message.name());
    }
  } catch (const Error& error) {
    warn(std::string(add ? "" : "") + error.what() + (add ? " (its buffers are not recorded)" : ""));
  }
  remap_all();
}

void Tap::Session::kicked(std::uint32_t index) {
  Ring& r = rings_[index];
  if (drain(r.front_kick.get()) == 0) return;
  const std::uint16_t idx = r.observer && !r.observer->broken() ? r.observer->read_avail_idx() : 0;
  tap_.sink_.record({trace::EventKind::NotifySent, static_cast<std::uint16_t>(index), 0, idx, 0, 0});
  scan(index);
  ++tap_.statistics_.kicks;
  if (r.back_kick) signal_eventfd(r.back_kick.get());
}

void Tap::Session::called(std::uint32_t index) {
  Ring& r = rings_[index];
  if (drain(r.back_call.get()) == 0) return;
  scan(index);
  const std::uint16_t idx = r.observer ? r.observer->used_idx() : 0;
  tap_.sink_.record({trace::EventKind::NotifySent, static_cast<std::uint16_t>(index), 1, idx, 0, 0});
  ++tap_.statistics_.interrupts;
  if (r.front_call) signal_eventfd(r.front_call.get());
}

void Tap::Session::from_front(Message message) {
  record(message, 0, number_);
  const bool relay = tap_.options_.relay_notifications;
  switch (static_cast<Request>(message.header.request)) {
    case Request::SetMemTable:
      set_mem_table(message);
      break;
    case Request::AddMemReg:
      memory_region(message, true);
      break;
    case Request::RemMemReg:
      memory_region(message, false);
      break;
    case Request::SetVringNum: {
      const auto state = payload_as<vhost_user::VringState>(message, "the front end");
      Ring& r = ring(state.index, message);
      r.size = static_cast<std::uint16_t>(state.num <= 32768 ? state.num : 0);
      break;
    }
    case Request::SetVringBase: {
      const auto state = payload_as<vhost_user::VringState>(message, "the front end");
      ring(state.index, message).base = static_cast<std::uint16_t>(state.num);
      break;
    }
    case Request::SetVringAddr: {
      const auto address = payload_as<vhost_user::VringAddress>(message, "the front end");
      ring(address.index, message).address = address;
      break;
    }
    case Request::SetVringKick:
    case Request::SetVringCall: {
      const auto value = payload_as<std::uint64_t>(message, "the front end");
      const auto index = static_cast<std::uint32_t>(value & vhost_user::kVringIndexMask);
      const bool kick = message.header.request == static_cast<std::uint32_t>(Request::SetVringKick);
      const bool with_fd = (value & vhost_user::kVringNoFd) == 0;
      if (with_fd != (message.fds.size() == 1) || message.fds.size() > 1) {
        throw Error(ErrorCode::Malformed, "the front end: " + message.name() + ": " +
                                              std::to_string(message.fds.size()) + " file descriptors attached, " +
                                              (with_fd ? "expected 1" : "expected none (no-fd bit set)"));
      }
      Ring& r = ring(index, message);
      UniqueFd& front_end_fd = kick ? r.front_kick : r.front_call;
      UniqueFd& tap_fd = kick ? r.back_kick : r.back_call;
      front_end_fd.reset();
      if (with_fd && relay) {
        // The back end gets an eventfd of the tap's; the front end's stays here. A ring given
        // a new fd keeps the tap's: the back end may still signal the one it has until it has
        // read this message, and that signal must not be lost.
        front_end_fd = std::move(message.fds[0]);
        if (!tap_fd) tap_fd = make_eventfd();
        message.fds[0] = duplicate(tap_fd.get());
      } else {
        tap_fd.reset();
      }
      if (kick) {
        // "the ring is started" when SET_VRING_KICK arrives.
        scan(index);
        r.started = true;
        r.reported = false;
        observe(index);
        scan(index);
      }
      break;
    }
    case Request::VringKick: {
      const auto state = payload_as<vhost_user::VringState>(message, "the front end");
      if (state.index < kMaxRings) scan(state.index);
      break;
    }
    case Request::SetBackendReqFd: {
      if (message.fds.size() != 1) {
        throw Error(ErrorCode::Malformed, "the front end: " + message.name() + ": " +
                                              std::to_string(message.fds.size()) +
                                              " file descriptors attached, expected 1");
      }
      // The back end gets one end of a pair; the tap passes the channel's messages on.
      int pair[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        vhost_user::fail_system("socketpair for the back-end channel", errno);
      }
      channel_front_ = std::move(message.fds[0]);
      channel_back_.reset(pair[0]);
      message.fds[0] = UniqueFd(pair[1]);
      break;
    }
    case Request::ResetOwner:
    case Request::ResetDevice:
      for (std::uint32_t i = 0; i < kMaxRings; ++i) stop_ring(i);
      break;
    default:
      break;
  }
  forward(back_.get(), message, "the back end");
}

void Tap::Session::from_back(Message message) {
  record(message, 1, number_);
  if (message.header.request == static_cast<std::uint32_t>(Request::GetVringBase) &&
      (message.header.flags & vhost_user::kFlagReply) != 0) {
    // The ring stopped: what it returned last is in it now.
    const auto state = payload_as<vhost_user::VringState>(message, "the back end");
    if (state.index < kMaxRings) stop_ring(state.index);
  }
  forward(front_.get(), message, "the front end");
}

void Tap::Session::run() {
  const std::string front_name = "the front end";
  const std::string back_name = "the back end";
  const int timeout = static_cast<int>(tap_.options_.poll_interval.count());
  enum class Source { Stop, Front, Back, ChannelBack, ChannelFront, Kick, Call };
  std::vector<pollfd> fds;
  std::vector<std::pair<Source, std::uint32_t>> sources;
  for (;;) {
    fds.clear();
    sources.clear();
    const auto add = [&](int fd, Source source, std::uint32_t index) {
      fds.push_back({fd, POLLIN, 0});
      sources.emplace_back(source, index);
    };
    add(tap_.stop_event_.get(), Source::Stop, 0);
    add(front_.get(), Source::Front, 0);
    add(back_.get(), Source::Back, 0);
    if (channel_back_ && channel_front_) {
      add(channel_back_.get(), Source::ChannelBack, 0);
      add(channel_front_.get(), Source::ChannelFront, 0);
    }
    for (std::uint32_t i = 0; i < kMaxRings; ++i) {
      if (rings_[i].front_kick) add(rings_[i].front_kick.get(), Source::Kick, i);
      if (rings_[i].back_call) add(rings_[i].back_call.get(), Source::Call, i);
    }
    const int ready = ::poll(fds.data(), fds.size(), timeout);
    if (ready < 0 && errno != EINTR) vhost_user::fail_system("poll", errno);
    for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      const auto [source, index] = sources[i];
      switch (source) {
        case Source::Stop:
          scan_all();
          return;
        case Source::Front: {
          auto message = vhost_user::read_relayed_message(front_.get(), front_name);
          if (!message) {
            scan_all();
            return;
          }
          from_front(std::move(*message));
          break;
        }
        case Source::Back: {
          auto message = vhost_user::read_relayed_message(back_.get(), back_name);
          if (!message) {
            scan_all();
            warn("the back end closed the connection");
            return;
          }
          from_back(std::move(*message));
          break;
        }
        case Source::ChannelBack:
        case Source::ChannelFront: {
          const bool from_backend = source == Source::ChannelBack;
          const int in = from_backend ? channel_back_.get() : channel_front_.get();
          const int out = from_backend ? channel_front_.get() : channel_back_.get();
          auto message = vhost_user::read_relayed_message(
              in, (from_backend ? back_name : front_name) + " (back-end channel)", vhost_user::backend_request_name);
          if (!message) {
            channel_back_.reset();
            channel_front_.reset();
            break;
          }
          record(*message, from_backend ? 1 : 0, 0);
          if (from_backend && message->header.request == 4 /* VHOST_USER_BACKEND_VRING_CALL */ &&
              message->payload.size() == sizeof(vhost_user::VringState)) {
            vhost_user::VringState state;
            std::memcpy(&state, message->payload.data(), sizeof state);
            if (state.index < kMaxRings) scan(state.index);
          }
          forward(out, *message, from_backend ? "the front end's back-end channel" : "the back end's back-end channel");
          break;
        }
        case Source::Kick:
          kicked(index);
          break;
        case Source::Call:
          called(index);
          break;
      }
      // A handled message may have replaced the fds polled after it: poll again.
      if (source == Source::Front || source == Source::Back) break;
    }
    scan_all();
  }
}

void Tap::Session::release_back_end(std::chrono::milliseconds wait) {
  front_.reset();
  if (!back_) return;
  ::shutdown(back_.get(), SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::array<char, 4096> discard;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd entry{back_.get(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&entry, 1, static_cast<int>(left.count())) <= 0) break;
    // Whatever the back end still sends has no front end to go to (fds sent with it are
    // released by the kernel).
    const ssize_t got = ::recv(back_.get(), discard.data(), discard.size(), MSG_DONTWAIT);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) break;
  }
  back_.reset();
}

Tap::Tap(TapOptions options, trace::TraceSink& sink) : options_(std::move(options)), sink_(sink) {
  listener_ = vhost_user::listen_unix(options_.listen, true);
  stop_event_ = make_eventfd();
}

Tap::~Tap() {
  listener_.reset();
  ::unlink(options_.listen.c_str());
}

void Tap::log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << "vgen trace tap: " << line << '\n';
  }
}

void Tap::stop() noexcept { signal_eventfd(stop_event_.get()); }

TapStatistics Tap::statistics() const noexcept {
  return {statistics_.connections.load(), statistics_.messages.load(), statistics_.chains.load(),
          statistics_.used.load(),        statistics_.kicks.load(),    statistics_.interrupts.load(),
          statistics_.errors.load()};
}

void Tap::run() {
  for (;;) {
    if (options_.max_connections != 0 && statistics_.connections >= options_.max_connections) return;
    std::array<pollfd, 2> fds{{{stop_event_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      vhost_user::fail_system("poll", errno);
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents == 0) continue;
    UniqueFd front(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!front) continue;
    const auto number = static_cast<std::uint32_t>(++statistics_.connections);
    std::unique_ptr<Session> session;
    try {
      session = std::make_unique<Session>(*this, std::move(front),
                                          connect_unix(options_.backend, options_.connect_wait), number);
      session->run();
    } catch (const std::exception& error) {
      ++statistics_.errors;
      log("connection " + std::to_string(number) + " ended: " + error.what());
    }
    if (session) session->release_back_end(std::chrono::seconds(1));
    // A stop() during the session ends run() too.
    pollfd stop{stop_event_.get(), POLLIN, 0};
    if (::poll(&stop, 1, 0) > 0) return;
  }
}

}  // namespace vgen::trace_tap
