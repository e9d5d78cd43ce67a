#include <vgen/vhost_user/session.hpp>

#include <vgen/format.hpp>
#include <vgen/virtqueue/features.hpp>
#include <vgen/virtqueue/layout.hpp>

namespace vgen::vhost_user {
namespace {

constexpr std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }

// Requests whose ancillary data may carry file descriptors ("Communication"); any other
// request with an fd attached is refused.
bool takes_fds(Request request) {
  switch (request) {
    case Request::SetMemTable:
    case Request::AddMemReg:
    case Request::RemMemReg:
    case Request::SetVringKick:
    case Request::SetVringCall:
    case Request::SetVringErr:
    case Request::SetBackendReqFd:
      return true;
    default:
      return false;
  }
}

std::unique_ptr<notify::EventfdNotifier> adopt_eventfd(Message& request) {
  try {
    return std::make_unique<notify::EventfdNotifier>(request.fds.front().release());
  } catch (const notify::Error& error) {
    throw Error(ErrorCode::Invalid, request.name() + ": " + error.what());
  }
}

}  // namespace

Session::Session(Device& device, MemoryTable& memory, LogSink log)
    : device_(device), memory_(memory), log_(std::move(log)), rings_(device.queue_count()) {
  offered_protocol_ = bit(kProtocolMq) | bit(kProtocolReplyAck) | bit(kProtocolBackendReq) | bit(kProtocolResetDevice) |
                      bit(kProtocolConfigureMemSlots);
  if (device_.config_size() != 0) offered_protocol_ |= bit(kProtocolConfig);
  device_.reset();
  memory_.clear();
}

Session::~Session() {
  try {
    stop_all_rings();
  } catch (const vgen::Error& error) {
    log_(std::string("closing: ") + error.what());
  }
  device_.reset();
  for (std::uint16_t ring = 0; ring < rings_.size(); ++ring) {
    device_.set_call(ring, nullptr);
    device_.set_err(ring, nullptr);
  }
  device_.set_backend_channel(UniqueFd(), false);
  memory_.clear();
}

std::uint64_t Session::offered_features() const noexcept {
  return device_.offered_features() | bit(kFeatureProtocolFeatures);
}

std::optional<Message> Session::handle(Message& request) {
  if (request.needs_reply() && (protocol_features_ & bit(kProtocolReplyAck)) == 0) {
    throw Error(ErrorCode::Malformed, request.name() + ": NEED_REPLY flag set, but REPLY_ACK was not negotiated");
  }
  if (!request.fds.empty() && !takes_fds(static_cast<Request>(request.header.request))) {
    throw Error(ErrorCode::Invalid,
                request.name() + ": " + std::to_string(request.fds.size()) + " unexpected file descriptors attached");
  }
  std::optional<Message> reply = dispatch(request);
  // REPLY_ACK: a request without a reply of its own is answered with u64 0 (success).
  if (!reply && request.needs_reply()) reply = make_u64_reply(request, 0);
  return reply;
}

std::optional<Message> Session::dispatch(Message& request) {
  switch (static_cast<Request>(request.header.request)) {
    case Request::GetFeatures:
      return get_features(request);
    case Request::SetFeatures:
      set_features(request);
      return std::nullopt;
    case Request::GetProtocolFeatures:
      return get_protocol_features(request);
    case Request::SetProtocolFeatures:
      set_protocol_features(request);
      return std::nullopt;
    case Request::SetOwner:
      set_owner(request);
      return std::nullopt;
    case Request::ResetOwner:
      reset_owner(request);
      return std::nullopt;
    case Request::ResetDevice:
      reset_device(request);
      return std::nullopt;
    case Request::SetMemTable:
      set_mem_table(request);
      return std::nullopt;
    case Request::GetMaxMemSlots:
      return get_max_mem_slots(request);
    case Request::AddMemReg:
      add_mem_reg(request);
      return std::nullopt;
    case Request::RemMemReg:
      rem_mem_reg(request);
      return std::nullopt;
    case Request::SetVringNum:
      set_vring_num(request);
      return std::nullopt;
    case Request::SetVringAddr:
      set_vring_addr(request);
      return std::nullopt;
    case Request::SetVringBase:
      set_vring_base(request);
      return std::nullopt;
    case Request::GetVringBase:
      return get_vring_base(request);
    case Request::SetVringKick:
    case Request::SetVringCall:
    case Request::SetVringErr:
      set_vring_fd(request);
      return std::nullopt;
    case Request::SetVringEnable:
      set_vring_enable(request);
      return std::nullopt;
    case Request::GetQueueNum:
      return get_queue_num(request);
    case Request::GetConfig:
      return get_config(request);
    case Request::SetConfig:
      return set_config(request);
    case Request::SetBackendReqFd:
      set_backend_req_fd(request);
      return std::nullopt;
    default:
      throw Error(ErrorCode::Unsupported, request.name() + ": not supported by this back end (not offered)");
  }
}

// --- checks ----------------------------------------------------------------------------------

// SET_OWNER "marks the sender as the front-end that owns the session": every request that
// changes the device or its rings comes after it.
void Session::require_owner(const Message& request) const {
  if (!owned_) throw Error(ErrorCode::OutOfOrder, request.name() + " before VHOST_USER_SET_OWNER");
}

void Session::require_protocol(const Message& request, unsigned feature) const {
  if ((protocol_features_ & bit(feature)) == 0) {
    throw Error(ErrorCode::OutOfOrder, request.name() + ": protocol feature bit " + std::to_string(feature) +
                                           " was not negotiated (VHOST_USER_SET_PROTOCOL_FEATURES)");
  }
}

std::uint16_t Session::ring_index(const Message& request, std::uint64_t index) const {
  if (index >= rings_.size() || !device_.queue_available(static_cast<std::uint32_t>(index))) {
    throw Error(ErrorCode::Invalid, request.name() + ": ring index " + std::to_string(index) +
                                        " does not exist (the device has " +
                                        std::to_string(device_.available_queues()) + " queues)");
  }
  return static_cast<std::uint16_t>(index);
}

void Session::require_stopped(const Message& request, std::uint16_t ring) const {
  if (rings_[ring].live) {
    throw Error(ErrorCode::OutOfOrder, request.name() + ": ring " + std::to_string(ring) +
                                           " is running; stop it with VHOST_USER_GET_VRING_BASE first");
  }
}

bool Session::any_ring_live() const noexcept {
  for (const Vring& ring : rings_) {
    if (ring.live) return true;
  }
  return false;
}

// --- features and ownership ------------------------------------------------------------------

std::optional<Message> Session::get_features(const Message& request) {
  expect_no_payload(request);
  return make_u64_reply(request, offered_features());
}

void Session::set_features(const Message& request) {
  require_owner(request);
  const auto features = payload_as<std::uint64_t>(request);
  const std::uint64_t unoffered = features & ~offered_features();
  if (unoffered != 0) {
    throw Error(ErrorCode::Invalid, request.name() + ": features " + hex(features) + " include bits " + hex(unoffered) +
                                        " that were not offered (" + hex(offered_features()) + ")");
  }
  device_.negotiate(features & ~bit(kFeatureProtocolFeatures), any_ring_live());
  features_ = features;
  for (std::uint16_t ring = 0; ring < rings_.size(); ++ring) update_ring(request.name(), ring);
}

std::optional<Message> Session::get_protocol_features(const Message& request) {
  expect_no_payload(request);
  return make_u64_reply(request, offered_protocol_);
}

void Session::set_protocol_features(const Message& request) {
  const auto features = payload_as<std::uint64_t>(request);
  const std::uint64_t unoffered = features & ~offered_protocol_;
  if (unoffered != 0) {
    throw Error(ErrorCode::Invalid, request.name() + ": protocol features " + hex(features) + " include bits " +
                                        hex(unoffered) + " that were not offered (" + hex(offered_protocol_) + ")");
  }
  protocol_features_ = features;
  protocol_features_set_ = true;
}

void Session::set_owner(const Message& request) {
  expect_no_payload(request);
  if (owned_) throw Error(ErrorCode::OutOfOrder, request.name() + ": the session already has an owner");
  owned_ = true;
}

// Deprecated; the protocol recommends using it to disable all rings, which this does.
void Session::reset_owner(const Message& request) {
  expect_no_payload(request);
  stop_all_rings();
  for (Vring& ring : rings_) ring.enabled = false;
}

// "Disable all rings and reset all internal device state to the initial state, ready to be
// reinitialized. The back-end retains ownership."
void Session::reset_device(const Message& request) {
  expect_no_payload(request);
  require_protocol(request, kProtocolResetDevice);
  stop_all_rings();
  for (Vring& ring : rings_) ring = Vring{};
  features_.reset();
  device_.reset();
}

// --- memory ----------------------------------------------------------------------------------

// Rings read memory through the table, so the live ones stop (keeping their position), the
// table changes, and every started ring starts again over the new table, or waits for a later
// change when its addresses are not mapped now.
template <class Change>
void Session::change_memory(Change&& change) {
  for (std::uint16_t ring = 0; ring < rings_.size(); ++ring) stop_ring(ring);
  change();
  for (std::uint16_t ring = 0; ring < rings_.size(); ++ring) {
    if (rings_[ring].started() && rings_[ring].address && !guest_rings_fit(ring)) {
      log_("ring " + std::to_string(ring) + " waits: its addresses are outside the new memory table");
      continue;
    }
    update_ring("memory table change", ring);
  }
}

void Session::set_mem_table(Message& request) {
  require_owner(request);
  if (request.payload.size() < sizeof(MemoryTableHeader)) {
    throw Error(ErrorCode::Malformed, request.name() + ": payload of " + std::to_string(request.payload.size()) +
                                          " bytes is shorter than the 8-byte table header");
  }
  MemoryTableHeader header;
  std::memcpy(&header, request.payload.data(), sizeof header);
  if (header.count == 0 || header.count > kMaxTableRegions) {
    throw Error(ErrorCode::Invalid, request.name() + ": " + std::to_string(header.count) + " regions, expected 1 to " +
                                        std::to_string(kMaxTableRegions));
  }
  const std::size_t expected = sizeof(MemoryTableHeader) + header.count * sizeof(MemoryRegionDescription);
  if (request.payload.size() != expected) {
    throw Error(ErrorCode::Malformed, request.name() + ": payload of " + std::to_string(request.payload.size()) +
                                          " bytes for " + std::to_string(header.count) + " regions, expected " +
                                          std::to_string(expected));
  }
  expect_fds(request, header.count);
  change_memory([&] {
    memory_.clear();
    for (std::uint32_t i = 0; i < header.count; ++i) {
      MemoryRegionDescription region;
      std::memcpy(&region, request.payload.data() + sizeof header + i * sizeof region, sizeof region);
      memory_.add(region, std::move(request.fds[i]), request.name() + " region " + std::to_string(i));
    }
  });
}

std::optional<Message> Session::get_max_mem_slots(const Message& request) {
  expect_no_payload(request);
  require_protocol(request, kProtocolConfigureMemSlots);
  return make_u64_reply(request, kMaxMemorySlots);
}

void Session::add_mem_reg(Message& request) {
  require_owner(request);
  require_protocol(request, kProtocolConfigureMemSlots);
  const auto single = payload_as<SingleMemoryRegion>(request);
  expect_fds(request, 1);
  change_memory([&] { memory_.add(single.region, std::move(request.fds.front()), request.name()); });
}

// "No file descriptors SHOULD be passed ... the back-end MAY accept messages with one file
// descriptor ... MUST close it": the fd closes with the message.
void Session::rem_mem_reg(Message& request) {
  require_owner(request);
  require_protocol(request, kProtocolConfigureMemSlots);
  const auto single = payload_as<SingleMemoryRegion>(request);
  if (request.fds.size() > 1) expect_fds(request, 1);
  change_memory([&] { memory_.remove(single.region, request.name()); });
}

// --- rings -----------------------------------------------------------------------------------

void Session::set_vring_num(const Message& request) {
  require_owner(request);
  const auto state = payload_as<VringState>(request);
  const std::uint16_t ring = ring_index(request, state.index);
  require_stopped(request, ring);
  if (!virtqueue::valid_queue_size(state.num)) {
    throw Error(ErrorCode::Invalid, request.name() + ": ring " + std::to_string(ring) + " size " +
                                        std::to_string(state.num) + " is not a power of two from 1 to 32768");
  }
  rings_[ring].size = state.num;
}

void Session::set_vring_addr(const Message& request) {
  require_owner(request);
  const auto address = payload_as<VringAddress>(request);
  const std::uint16_t ring = ring_index(request, address.index);
  require_stopped(request, ring);
  if (address.flags != 0) {
    throw Error(ErrorCode::Unsupported, request.name() + ": ring " + std::to_string(ring) + " flags " +
                                            hex(address.flags) + " ask for used ring logging, which was not offered");
  }
  rings_[ring].address = address;
  if (memory_.size() != 0 && rings_[ring].size != 0) guest_rings(request.name(), ring);
}

void Session::set_vring_base(const Message& request) {
  require_owner(request);
  const auto state = payload_as<VringState>(request);
  const std::uint16_t ring = ring_index(request, state.index);
  require_stopped(request, ring);
  if (state.num > 0xffff) {
    throw Error(ErrorCode::Invalid, request.name() + ": ring " + std::to_string(ring) + " base " +
                                        std::to_string(state.num) + " is not a 16-bit split ring index");
  }
  rings_[ring].base = static_cast<std::uint16_t>(state.num);
}

// "Stop ring upon receiving VHOST_USER_GET_VRING_BASE"; the reply carries the avail index the
// ring resumes at.
std::optional<Message> Session::get_vring_base(const Message& request) {
  require_owner(request);
  const auto state = payload_as<VringState>(request);
  const std::uint16_t ring = ring_index(request, state.index);
  stop_ring(ring);
  rings_[ring].stop();
  const VringState reply{ring, rings_[ring].base};
  return make_reply(request, std::as_bytes(std::span(&reply, 1)));
}

// SET_VRING_KICK, _CALL, _ERR: "Bits (0-7) of the payload contain the vring index. Bit 8 is the
// invalid FD flag."
void Session::set_vring_fd(Message& request) {
  require_owner(request);
  const auto word = payload_as<std::uint64_t>(request);
  if ((word & ~(kVringIndexMask | kVringNoFd)) != 0) {
    throw Error(ErrorCode::Invalid, request.name() + ": payload " + hex(word) +
                                        " has bits beyond the index and the "
                                        "no-fd flag");
  }
  const std::uint16_t ring = ring_index(request, word & kVringIndexMask);
  const bool no_fd = (word & kVringNoFd) != 0;
  expect_fds(request, no_fd ? 0 : 1);
  const auto kind = static_cast<Request>(request.header.request);
  if (kind == Request::SetVringKick) {
    if (no_fd) {
      throw Error(ErrorCode::Unsupported, request.name() + ": ring " + std::to_string(ring) +
                                              " without a kick eventfd (polling) is not supported");
    }
    rings_[ring].kick = adopt_eventfd(request);
    update_ring(request.name(), ring);
  } else if (kind == Request::SetVringCall) {
    device_.set_call(ring, no_fd ? nullptr : adopt_eventfd(request));
  } else {
    device_.set_err(ring, no_fd ? nullptr : adopt_eventfd(request));
  }
}

void Session::set_vring_enable(const Message& request) {
  require_owner(request);
  if (!protocol_features_set_) {
    throw Error(ErrorCode::OutOfOrder, request.name() + " before VHOST_USER_SET_PROTOCOL_FEATURES");
  }
  const auto state = payload_as<VringState>(request);
  const std::uint16_t ring = ring_index(request, state.index);
  if (state.num > 1) {
    throw Error(ErrorCode::Invalid, request.name() + ": ring " + std::to_string(ring) + " value " +
                                        std::to_string(state.num) + " is neither 0 nor 1");
  }
  rings_[ring].enabled = state.num == 1;
  update_ring(request.name(), ring);
}

std::optional<Message> Session::get_queue_num(const Message& request) {
  expect_no_payload(request);
  return make_u64_reply(request, device_.available_queues());
}

// A ring is live (the device's queue running) when it is started (kick eventfd), enabled (or
// protocol features were not negotiated: "the ring starts directly in the enabled state"),
// fully described, and the features and memory are known.
void Session::update_ring(const std::string& what, std::uint16_t ring) {
  Vring& r = rings_[ring];
  const bool protocol_acked = features_ && (*features_ & bit(kFeatureProtocolFeatures)) != 0;
  const bool want =
      r.started() && (r.enabled || !protocol_acked) && r.size != 0 && r.address && features_ && memory_.size() != 0;
  if (want == r.live) return;
  if (!want) {
    stop_ring(ring);
    return;
  }
  const virtqueue::RingAddresses rings = guest_rings(what, ring);
  if (!device_.negotiated()) device_.negotiate(*features_ & ~bit(kFeatureProtocolFeatures), any_ring_live());
  device_.start_ring(ring, r.size, rings, r.base);
  r.live = true;
}

void Session::stop_ring(std::uint16_t ring) {
  Vring& r = rings_[ring];
  if (!r.live) return;
  if (const std::optional<std::uint16_t> resume = device_.stop_ring(ring)) r.base = *resume;
  r.live = false;
}

void Session::stop_all_rings() {
  for (std::uint16_t ring = 0; ring < rings_.size(); ++ring) {
    stop_ring(ring);
    rings_[ring].stop();
  }
}

bool Session::guest_rings_fit(std::uint16_t ring) const {
  const Vring& r = rings_[ring];
  const std::uint32_t n = r.size;
  return r.address && memory_.user_to_guest(r.address->desc, virtqueue::desc_table_bytes(n)) &&
         memory_.user_to_guest(r.address->avail, virtqueue::avail_ring_bytes(n)) &&
         memory_.user_to_guest(r.address->used, virtqueue::used_ring_bytes(n));
}

// "Ring addresses ... are user addresses": each part is translated through the region that
// holds it into the guest address the device core reads rings at.
virtqueue::RingAddresses Session::guest_rings(const std::string& what, std::uint16_t ring) const {
  const Vring& r = rings_[ring];
  const auto translate = [&](const char* part, std::uint64_t user, std::uint64_t length) {
    const std::optional<std::uint64_t> guest = memory_.user_to_guest(user, length);
    if (!guest) {
      throw Error(ErrorCode::Invalid, what + ": ring " + std::to_string(ring) + " " + part + " at user address " +
                                          hex(user) + " (" + std::to_string(length) +
                                          " bytes) is outside every memory region");
    }
    return *guest;
  };
  const std::uint32_t n = r.size;
  return {translate("descriptor table", r.address->desc, virtqueue::desc_table_bytes(n)),
          translate("available ring", r.address->avail, virtqueue::avail_ring_bytes(n)),
          translate("used ring", r.address->used, virtqueue::used_ring_bytes(n))};
}

std::vector<KickSource> Session::kick_sources() const {
  std::vector<KickSource> sources;
  for (std::uint16_t ring = 0; ring < rings_.size(); ++ring) {
    if (rings_[ring].live) sources.push_back({ring, rings_[ring].kick->fd()});
  }
  return sources;
}

void Session::kicked(std::uint16_t ring) {
  if (ring >= rings_.size() || !rings_[ring].live) return;
  rings_[ring].kick->wait(std::chrono::nanoseconds::zero());
  device_.kick(ring);
}

// --- configuration and the back-end channel --------------------------------------------------

namespace {

// "Virtio device config space": offset, size, flags, then `size` bytes.
ConfigHeader config_header(const Message& request) {
  if (request.payload.size() < sizeof(ConfigHeader)) {
    throw Error(ErrorCode::Malformed, request.name() + ": payload of " + std::to_string(request.payload.size()) +
                                          " bytes is shorter than the 12-byte configuration header");
  }
  ConfigHeader header;
  std::memcpy(&header, request.payload.data(), sizeof header);
  if (header.size > kMaxConfigBytes || header.offset > kMaxConfigBytes - header.size) {
    throw Error(ErrorCode::Invalid, request.name() + ": access of " + std::to_string(header.size) +
                                        " bytes at offset " + std::to_string(header.offset) + " exceeds the " +
                                        std::to_string(kMaxConfigBytes) + "-byte configuration space limit");
  }
  if (request.payload.size() != sizeof header + header.size) {
    throw Error(ErrorCode::Malformed, request.name() + ": payload of " + std::to_string(request.payload.size()) +
                                          " bytes for a " + std::to_string(header.size) + "-byte access, expected " +
                                          std::to_string(sizeof header + header.size));
  }
  if (header.flags != kConfigFlagFrontend && header.flags != kConfigFlagMigration) {
    throw Error(ErrorCode::Invalid, request.name() + ": flags " + hex(header.flags) + " are neither 0 nor 1");
  }
  return header;
}

}  // namespace

std::optional<Message> Session::get_config(const Message& request) {
  require_protocol(request, kProtocolConfig);
  const ConfigHeader header = config_header(request);
  std::vector<std::byte> payload(sizeof header);
  std::memcpy(payload.data(), &header, sizeof header);
  const std::vector<std::byte> bytes = device_.read_config(header.offset, header.size);
  payload.insert(payload.end(), bytes.begin(), bytes.end());
  return make_reply(request, payload);
}

// A refused write is the guest's doing, not the front end's: it is logged and, with
// NEED_REPLY, answered with a failure; the connection stays.
std::optional<Message> Session::set_config(const Message& request) {
  require_owner(request);
  require_protocol(request, kProtocolConfig);
  const ConfigHeader header = config_header(request);
  const std::span<const std::byte> bytes(request.payload.data() + sizeof header, header.size);
  const std::optional<std::string> refusal = device_.write_config(header.offset, bytes);
  if (!refusal) return std::nullopt;
  log_(request.name() + ": the device refused the write: " + *refusal);
  if (!request.needs_reply()) return std::nullopt;
  return make_u64_reply(request, 1);
}

void Session::set_backend_req_fd(Message& request) {
  expect_no_payload(request);
  require_protocol(request, kProtocolBackendReq);
  expect_fds(request, 1);
  device_.set_backend_channel(std::move(request.fds.front()), (protocol_features_ & bit(kProtocolConfig)) != 0);
}

}  // namespace vgen::vhost_user
