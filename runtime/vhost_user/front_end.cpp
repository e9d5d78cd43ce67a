// The vhost-user front end as a virtio transport.
#include <vgen/vhost_user/front_end.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <vgen/vhost_user/channel.hpp>
#include <vgen/vhost_user/error.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/status.hpp>

namespace vgen::vhost_user {

/// One ring: what the driver set, and its eventfds (kick: we signal; call, err: the back end).
struct FrontEnd::Ring {
  std::uint32_t size = 0;
  virtqueue::RingAddresses addresses;
  bool ready = false;    // QueueReady as the driver set it
  bool started = false;  // the back end has its addresses and kick fd
  notify::EventfdNotifier kick;
  notify::EventfdNotifier call;
  notify::EventfdNotifier err;
};

namespace {

// Protocol features this front end uses.
constexpr std::uint64_t kUsedProtocol = (1ull << kProtocolMq) | (1ull << kProtocolReplyAck) |
                                        (1ull << kProtocolBackendReq) | (1ull << kProtocolConfig) |
                                        (1ull << kProtocolResetDevice);
// Virtio feature bits vhost-user reuses for itself (protocol features, dirty logging).
constexpr std::uint64_t kVhostBits = (1ull << kFeatureProtocolFeatures) | (1ull << kFeatureLogAll);

template <class T>
std::span<const std::byte> bytes_of(const T& value) {
  return {reinterpret_cast<const std::byte*>(&value), sizeof value};
}

std::uint64_t user_address(const shm::GuestMemory& memory, shm::GuestAddress address, std::uint64_t length,
                           const char* part) {
  std::byte* host = memory.find(address, length);
  if (host == nullptr)
    throw virtio::Error(virtio::ErrorCode::InvalidArgument,
                        std::string("vhost-user: the ") + part + " lies outside guest memory");
  return reinterpret_cast<std::uint64_t>(host);
}

}  // namespace

FrontEnd::FrontEnd(const std::string& socket_path, const shm::GuestMemory& memory, FrontEndOptions options)
    : path_(socket_path), memory_(memory), options_(options) {
  connect();
  rings_.resize(queue_count_);
  for (auto& r : rings_) r = std::make_unique<Ring>();
  watcher_ = std::thread([this] { watch(); });
}

FrontEnd::~FrontEnd() {
  stopping_ = true;
  wake_.signal();
  watcher_.join();
}

bool FrontEnd::connected() {
  if (!connected_) return false;
  pollfd entry{connection_->fd(), POLLIN | POLLRDHUP, 0};
  if (::poll(&entry, 1, 0) <= 0) return true;
  char byte;
  const bool closed = (entry.revents & (POLLHUP | POLLRDHUP | POLLERR)) != 0 ||
                      ((entry.revents & POLLIN) != 0 && ::recv(entry.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0);
  if (closed) disconnect("the back end closed the connection");
  return !closed;
}

std::string FrontEnd::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

bool FrontEnd::agreed(unsigned bit) const noexcept { return (agreed_protocol_ & (1ull << bit)) != 0; }

// QEMU's start-up exchange.
void FrontEnd::connect() {
  const auto timeout = options_.reply_timeout;
  std::unique_ptr<FrontEndConnection> connection = first_exchange();
  agreed_protocol_ = 0;
  if ((backend_features_ & (1ull << kFeatureProtocolFeatures)) != 0) {
    protocol_features_ = connection->get_u64(Request::GetProtocolFeatures, timeout);
    agreed_protocol_ = protocol_features_ & kUsedProtocol;
    connection->send(Request::SetProtocolFeatures, bytes_of(agreed_protocol_));
  }
  queue_count_ = options_.queue_count != 0 ? options_.queue_count : 1;
  if (options_.queue_count == 0 && agreed(kProtocolMq)) {
    queue_count_ = static_cast<std::uint32_t>(connection->get_u64(Request::GetQueueNum, timeout));
  }
  UniqueFd channel;
  if (agreed(kProtocolBackendReq)) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
      throw Error(ErrorCode::System, std::string("socketpair: ") + std::strerror(errno));
    channel.reset(pair[0]);
    UniqueFd theirs(pair[1]);
    const int fd = theirs.get();
    connection->send(Request::SetBackendReqFd, {}, std::span<const int>(&fd, 1), agreed(kProtocolReplyAck));
    if (agreed(kProtocolReplyAck)) connection->reply(Request::SetBackendReqFd, timeout);
  }
  connection->send(Request::SetOwner, {});
  {
    std::lock_guard lock(mutex_);
    connection_ = std::move(connection);
    backend_channel_ = std::move(channel);
    last_error_.clear();
  }
  connected_ = true;
  mem_table_sent_ = false;
  wake_.signal();
}

// Connects and asks for the features. A back end that serves one front end at a time turns a
// new one away (closes it at once) while it has not yet seen the previous one leave, which a
// loaded machine can delay; the request then fails on the socket, and is asked again on a new
// connection a few times before the failure counts.
std::unique_ptr<FrontEndConnection> FrontEnd::first_exchange() {
  constexpr int kAttempts = 10;
  for (int attempt = 1;; ++attempt) {
    auto connection = std::make_unique<FrontEndConnection>(path_, options_.connect_wait);
    try {
      backend_features_ = connection->get_u64(Request::GetFeatures, options_.reply_timeout);
      return connection;
    } catch (const Error& error) {
      if (error.code() != ErrorCode::System || attempt == kAttempts) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void FrontEnd::disconnect(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (last_error_.empty()) last_error_ = why;
    backend_channel_.reset();
  }
  connected_ = false;
  for (auto& r : rings_) r->started = false;
  wake_.signal();
  line_.signal();
}

// Runs a protocol exchange; a broken connection becomes DEVICE_NEEDS_RESET and a
// virtio::Error naming what failed.
template <class Action>
auto FrontEnd::guarded(const char* what, Action&& action) {
  if (!connected_)
    throw virtio::Error(
        virtio::ErrorCode::RegisterFault,
        std::string("vhost-user: ") + what + ": the back end closed the connection (" + last_error() + ")");
  try {
    return action();
  } catch (const Error& error) {
    disconnect(error.what());
    throw virtio::Error(virtio::ErrorCode::RegisterFault, std::string("vhost-user: ") + what + ": " + error.what());
  }
}

// Sends a request that has no reply of its own; with REPLY_ACK agreed, asks for one and
// turns a non-zero status into virtio::Error(Rejected).
void FrontEnd::send(Request request, std::span<const std::byte> payload, std::span<const int> fds) {
  const bool ack = agreed(kProtocolReplyAck);
  std::uint64_t status = 0;
  guarded(request_name(static_cast<std::uint32_t>(request)).c_str(), [&] {
    connection_->send(request, payload, fds, ack);
    if (ack) status = payload_as<std::uint64_t>(connection_->reply(request, options_.reply_timeout));
  });
  if (status != 0) {
    throw virtio::Error(virtio::ErrorCode::Rejected,
                        "vhost-user: " + request_name(static_cast<std::uint32_t>(request)) + " refused (status " +
                            std::to_string(status) + ")");
  }
}

void FrontEnd::send_mem_table() {
  std::vector<std::byte> payload(sizeof(MemoryTableHeader));
  std::vector<int> fds;
  for (const shm::MemoryRegion& region : memory_.regions()) {
    if (!region.owner)
      throw virtio::Error(virtio::ErrorCode::InvalidArgument, "vhost-user: guest memory must be memfd regions");
    const MemoryRegionDescription d{region.base, region.size, reinterpret_cast<std::uint64_t>(region.host), 0};
    const auto raw = bytes_of(d);
    payload.insert(payload.end(), raw.begin(), raw.end());
    fds.push_back(region.owner->fd());
  }
  const MemoryTableHeader header{static_cast<std::uint32_t>(fds.size()), 0};
  std::memcpy(payload.data(), &header, sizeof header);
  send(Request::SetMemTable, payload, fds);
  mem_table_sent_ = true;
}

FrontEnd::Ring& FrontEnd::ring(std::uint16_t index) {
  if (index >= rings_.size())
    throw virtio::Error(virtio::ErrorCode::QueueUnavailable, "vhost-user: no ring " + std::to_string(index));
  return *rings_[index];
}

void FrontEnd::start_ring(std::uint16_t index) {
  Ring& r = ring(index);
  if (!mem_table_sent_) send_mem_table();
  const std::uint32_t size = r.size != 0 ? r.size : options_.queue_max_size;
  send(Request::SetVringNum, bytes_of(VringState{index, size}));
  send(Request::SetVringBase, bytes_of(VringState{index, 0}));
  const VringAddress address{
      index,
      0,
      user_address(memory_, r.addresses.desc, virtqueue::desc_table_bytes(size), "descriptor table"),
      user_address(memory_, r.addresses.used, virtqueue::used_ring_bytes(size), "used ring"),
      user_address(memory_, r.addresses.avail, virtqueue::avail_ring_bytes(size), "available ring"),
      0};
  send(Request::SetVringAddr, bytes_of(address));
  const std::uint64_t slot = index;
  const int call = r.call.fd(), err = r.err.fd(), kick = r.kick.fd();
  send(Request::SetVringCall, bytes_of(slot), std::span<const int>(&call, 1));
  send(Request::SetVringErr, bytes_of(slot), std::span<const int>(&err, 1));
  send(Request::SetVringKick, bytes_of(slot), std::span<const int>(&kick, 1));
  // A back end may signal the call eventfd as it takes it (libvhost-user does, against hangs
  // after a reconnect). A round trip makes sure it has, and such a signal is published now,
  // before the ring counts as started, not whenever the watcher wakes.
  guarded("VHOST_USER_GET_FEATURES", [&] { connection_->get_u64(Request::GetFeatures, options_.reply_timeout); });
  {
    std::lock_guard events(events_);
    if (r.call.wait(std::chrono::nanoseconds(0))) {
      pending_.fetch_or(virtio::kInterruptUsedBuffer);
      line_.signal();
    }
  }
  r.started = true;
}

void FrontEnd::enable_ring(std::uint16_t index, bool enable) {
  if ((backend_features_ & (1ull << kFeatureProtocolFeatures)) == 0) return;  // rings start enabled
  send(Request::SetVringEnable, bytes_of(VringState{index, enable ? 1u : 0u}));
}

void FrontEnd::stop_ring(std::uint16_t index) {
  Ring& r = ring(index);
  if (!r.started || !connected_) return;
  enable_ring(index, false);
  guarded("VHOST_USER_GET_VRING_BASE", [&] {
    connection_->send(Request::GetVringBase, bytes_of(VringState{index, 0}));
    connection_->reply(Request::GetVringBase, options_.reply_timeout);
  });
  r.started = false;
}

std::uint8_t FrontEnd::status() {
  const bool broken = !connected_ || needs_reset_;
  return static_cast<std::uint8_t>(status_ | (broken ? virtio::kStatusDeviceNeedsReset : 0));
}

void FrontEnd::set_status(std::uint8_t value) {
  if (value == 0) {
    if (!connected_) {
      try {
        connect();
      } catch (const Error& error) {
        throw virtio::Error(virtio::ErrorCode::Timeout, std::string("vhost-user: reconnecting: ") + error.what());
      }
    } else {
      for (std::uint16_t i = 0; i < rings_.size(); ++i) stop_ring(i);
      if (agreed(kProtocolResetDevice)) send(Request::ResetDevice, {});
    }
    // The rings are stopped: a used-buffer signal the back end sent before that and the
    // watcher has not yet published belongs to the old device, not to the reset one.
    std::lock_guard events(events_);
    for (auto& r : rings_) {
      r->ready = false;
      r->call.wait(std::chrono::nanoseconds(0));
    }
    status_ = 0;
    driver_features_ = 0;
    needs_reset_ = false;
    pending_ = 0;
    mem_table_sent_ = false;
    return;
  }
  const std::uint8_t added = value & ~status_;
  if ((added & virtio::kStatusFeaturesOk) != 0) {
    const std::uint64_t features = driver_features_ | (backend_features_ & (1ull << kFeatureProtocolFeatures));
    try {
      send(Request::SetFeatures, bytes_of(features));
    } catch (const virtio::Error&) {
      status_ = value & ~virtio::kStatusFeaturesOk & ~virtio::kStatusDriverOk;
      return;
    }
  }
  status_ = value;
  if ((added & virtio::kStatusDriverOk) != 0) {
    for (std::uint16_t i = 0; i < rings_.size(); ++i) {
      if (rings_[i]->ready) enable_ring(i, true);
    }
  }
}

std::uint32_t FrontEnd::device_features(std::uint32_t select) {
  const std::uint64_t offered = backend_features_ & ~kVhostBits;
  return select < 2 ? static_cast<std::uint32_t>(offered >> (32 * select)) : 0;
}

void FrontEnd::set_driver_features(std::uint32_t select, std::uint32_t value) {
  if (select >= 2) return;
  const std::uint64_t mask = 0xffffffffull << (32 * select);
  driver_features_ = (driver_features_ & ~mask) | (std::uint64_t{value} << (32 * select));
}

std::uint32_t FrontEnd::queue_max_size(std::uint16_t index) {
  return index < rings_.size() ? options_.queue_max_size : 0;
}
bool FrontEnd::queue_ready(std::uint16_t index) { return index < rings_.size() && rings_[index]->ready; }
void FrontEnd::set_queue_size(std::uint16_t index, std::uint32_t size) { ring(index).size = size; }
void FrontEnd::set_queue_addresses(std::uint16_t index, const virtqueue::RingAddresses& a) {
  ring(index).addresses = a;
}

void FrontEnd::set_queue_ready(std::uint16_t index, bool ready) {
  Ring& r = ring(index);
  if (ready) {
    start_ring(index);
    r.ready = true;
    if ((status_ & virtio::kStatusDriverOk) != 0) enable_ring(index, true);
  } else {
    stop_ring(index);
    r.ready = false;
  }
}

void FrontEnd::reset_queue(std::uint16_t) {
  throw virtio::Error(virtio::ErrorCode::Rejected, "vhost-user has no virtqueue reset");
}

void FrontEnd::notify(std::uint16_t index) {
  Ring& r = ring(index);
  if (r.started) r.kick.signal();
}

std::uint32_t FrontEnd::interrupt_status() { return pending_.load(); }
void FrontEnd::acknowledge_interrupt(std::uint32_t bits) { pending_.fetch_and(~bits); }

std::uint32_t FrontEnd::read_config(std::uint32_t offset, unsigned width) {
  if (!agreed(kProtocolConfig))
    throw virtio::Error(virtio::ErrorCode::Rejected, "vhost-user: the back end offers no CONFIG protocol feature");
  std::vector<std::byte> payload(sizeof(ConfigHeader) + width);
  const ConfigHeader header{offset, width, kConfigFlagFrontend};
  std::memcpy(payload.data(), &header, sizeof header);
  const Message answer = guarded("VHOST_USER_GET_CONFIG", [&] {
    connection_->send(Request::GetConfig, payload);
    return connection_->reply(Request::GetConfig, options_.reply_timeout);
  });
  if (answer.payload.size() != payload.size()) {
    throw virtio::Error(virtio::ErrorCode::Rejected, "vhost-user: GET_CONFIG of " + std::to_string(width) +
                                                         " bytes at " + std::to_string(offset) + " answered with " +
                                                         std::to_string(answer.payload.size()) + " bytes");
  }
  std::uint32_t value = 0;
  for (unsigned i = 0; i < width; ++i)
    value |= std::to_integer<std::uint32_t>(answer.payload[sizeof(ConfigHeader) + i]) << (8 * i);
  return value;
}

void FrontEnd::write_config(std::uint32_t offset, unsigned width, std::uint32_t value) {
  if (!agreed(kProtocolConfig))
    throw virtio::Error(virtio::ErrorCode::Rejected, "vhost-user: the back end offers no CONFIG protocol feature");
  std::vector<std::byte> payload(sizeof(ConfigHeader) + width);
  const ConfigHeader header{offset, width, kConfigFlagFrontend};
  std::memcpy(payload.data(), &header, sizeof header);
  for (unsigned i = 0; i < width; ++i) payload[sizeof(ConfigHeader) + i] = static_cast<std::byte>(value >> (8 * i));
  send(Request::SetConfig, payload);
}

// The watcher thread: call and error eventfds, and the back end's requests.
void FrontEnd::watch() {
  while (!stopping_) {
    std::vector<pollfd> fds{{wake_.fd(), POLLIN, 0}};
    for (const auto& r : rings_) {
      fds.push_back({r->call.fd(), POLLIN, 0});
      fds.push_back({r->err.fd(), POLLIN, 0});
    }
    int channel = -1;
    {
      std::lock_guard lock(mutex_);
      channel = backend_channel_.get();
    }
    if (channel >= 0) fds.push_back({channel, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
    if ((fds[0].revents & POLLIN) != 0) wake_.wait(std::chrono::nanoseconds(0));
    std::lock_guard events(events_);  // a reset drains what is not yet published
    for (std::size_t i = 0; i < rings_.size(); ++i) {
      if ((fds[1 + 2 * i].revents & POLLIN) != 0 && rings_[i]->call.wait(std::chrono::nanoseconds(0))) {
        pending_.fetch_or(virtio::kInterruptUsedBuffer);
        line_.signal();
      }
      if ((fds[2 + 2 * i].revents & POLLIN) != 0 && rings_[i]->err.wait(std::chrono::nanoseconds(0))) {
        needs_reset_ = true;
        pending_.fetch_or(virtio::kInterruptConfigChange);
        line_.signal();
      }
    }
    if (channel >= 0 && (fds.back().revents & (POLLIN | POLLHUP)) != 0) serve_backend_request();
  }
}

// VHOST_USER_BACKEND_CONFIG_CHANGE_MSG: a configuration change; anything else is answered
// with failure when a reply is wanted.
void FrontEnd::serve_backend_request() {
  std::lock_guard lock(mutex_);
  if (!backend_channel_) return;
  try {
    const Message request = read_any_message(backend_channel_.get(), std::chrono::milliseconds(500));
    const bool known = request.header.request == static_cast<std::uint32_t>(BackendRequest::ConfigChange);
    if (known) {
      generation_.fetch_add(1);
      pending_.fetch_or(virtio::kInterruptConfigChange);
      line_.signal();
    }
    if (request.needs_reply()) write_message(backend_channel_.get(), make_u64_reply(request, known ? 0 : 1));
  } catch (const Error&) {
    backend_channel_.reset();
  }
}

}  // namespace vgen::vhost_user
