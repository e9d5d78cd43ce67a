// Channels, drivers and the name service (address 0x35).
#include <algorithm>
#include <array>

#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/error.hpp>

namespace vgen::rpmsg {

// --- channels --------------------------------------------------------------------------------

Channel& Bus::create_channel(const std::string& name, EndpointCallback callback, std::uint32_t address,
                             std::uint32_t destination, bool announce_it) {
  if (auto problem = check_name(name)) throw Error(ErrorCode::InvalidName, "create channel: " + *problem);
  if (address != kAnyAddress && address < kFirstDynamicAddress) {
    throw Error(ErrorCode::InvalidAddress, "create channel '" + name + "': address " + address_text(address) +
                                               " is reserved (addresses below 1024 are)");
  }
  const auto lock = rx_lock();
  if (find_channel_locked(name, ChannelOrigin::Local, kAnyAddress) != nullptr) {
    throw Error(ErrorCode::ChannelExists, "create channel: a local channel '" + name + "' exists already");
  }
  Endpoint& endpoint = bind_endpoint(std::move(callback), address);
  Channel& channel = add_channel(name, ChannelOrigin::Local, destination);
  channel.endpoint_ = &endpoint;
  endpoint.channel_ = &channel;
  if (announce_it && options_.name_service) {
    try {
      announce(channel, AnnouncementKind::Create);
    } catch (...) {
      erase_channel(channel);
      throw;
    }
    channel.announced_ = true;
  }
  emit_channel(channel, true);
  return channel;
}

Channel& Bus::add_channel(const std::string& name, ChannelOrigin origin, std::uint32_t destination) {
  channels_.push_back(std::unique_ptr<Channel>(new Channel(*this, name, origin, destination)));
  return *channels_.back();
}

void Bus::destroy_channel(Channel& channel) {
  const auto lock = rx_lock();
  owned_channel(channel, "destroy channel");
  if (channel.announced_ && link_is_up()) {
    try {
      announce(channel, AnnouncementKind::Destroy);
    } catch (const Error& e) {
      log("channel '" + channel.name() + "': destroy announcement not sent: " + e.what());
    }
  }
  erase_channel(channel);
}

// Unbinds the driver (or the local endpoint) and frees the channel.
void Bus::erase_channel(Channel& channel) {
  if (channel.driver_ != nullptr) unbind_driver(channel);
  emit_channel(channel, false);
  if (channel.endpoint_ != nullptr) {
    channel.endpoint_->channel_ = nullptr;
    unbind_endpoint(*channel.endpoint_);
    channel.endpoint_ = nullptr;
  }
  const auto it = std::find_if(channels_.begin(), channels_.end(), [&](const auto& c) { return c.get() == &channel; });
  channels_.erase(it);
}

Channel& Bus::owned_channel(Channel& channel, const char* action) const {
  const auto it = std::find_if(channels_.begin(), channels_.end(), [&](const auto& c) { return c.get() == &channel; });
  if (it == channels_.end()) {
    throw Error(ErrorCode::NotFound, std::string(action) + ": channel '" + channel.name() + "' is not on this bus");
  }
  return channel;
}

Channel* Bus::find_channel_locked(std::string_view name, ChannelOrigin origin, std::uint32_t destination) const {
  for (const auto& channel : channels_) {
    if (channel->origin_ != origin || channel->name_ != name) continue;
    if (destination == kAnyAddress || channel->destination() == destination) return channel.get();
  }
  return nullptr;
}

Channel* Bus::find_channel(std::string_view name) const {
  const auto lock = rx_lock();
  for (const auto& channel : channels_) {
    if (channel->name_ == name) return channel.get();
  }
  return nullptr;
}

std::vector<Channel*> Bus::channels() const {
  const auto lock = rx_lock();
  std::vector<Channel*> all;
  for (const auto& channel : channels_) all.push_back(channel.get());
  return all;
}

// --- drivers ---------------------------------------------------------------------------------

void Bus::register_driver(Driver& driver) {
  const auto lock = rx_lock();
  if (std::find(drivers_.begin(), drivers_.end(), &driver) != drivers_.end()) {
    throw Error(ErrorCode::InvalidState, "register driver: '" + driver.names().front() + "' is registered already");
  }
  drivers_.push_back(&driver);
  driver.buses_.push_back(this);
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    Channel& channel = *channels_[i];
    if (channel.origin_ == ChannelOrigin::Peer && channel.driver_ == nullptr && driver.matches(channel.name_)) {
      bind_driver(channel, driver);
    }
  }
}

void Bus::unregister_driver(Driver& driver) {
  const auto lock = rx_lock();
  const auto it = std::find(drivers_.begin(), drivers_.end(), &driver);
  if (it == drivers_.end()) {
    throw Error(ErrorCode::NotFound, "unregister driver: '" + driver.names().front() + "' is not registered");
  }
  for (const auto& channel : channels_) {
    if (channel->driver_ == &driver) unbind_driver(*channel);
  }
  drivers_.erase(it);
  std::erase(driver.buses_, this);
}

// The driver is being destroyed: unbind it without calling into it.
void Bus::forget_driver(Driver& driver) {
  const auto lock = rx_lock();
  for (const auto& channel : channels_) {
    if (channel->driver_ == &driver) unbind_driver(*channel, false);
  }
  std::erase(drivers_, &driver);
  std::erase(driver.buses_, this);
}

void Bus::probe_drivers(Channel& channel) {
  for (Driver* driver : drivers_) {
    if (driver->matches(channel.name_) && bind_driver(channel, *driver)) return;
  }
}

// Creates the default endpoint (bound to the driver's receive()) and probes; a refusal
// destroys the endpoint again and leaves the channel unbound.
bool Bus::bind_driver(Channel& channel, Driver& driver) {
  Endpoint& endpoint =
      bind_endpoint([&driver, &channel](Endpoint&, std::span<const std::byte> payload,
                                        std::uint32_t source) { driver.receive(channel, payload, source); },
                    kAnyAddress);
  channel.endpoint_ = &endpoint;
  endpoint.channel_ = &channel;
  channel.driver_ = &driver;
  try {
    driver.probe(channel);
    return true;
  } catch (const std::exception& e) {
    callback_failures_.bump();
    log("driver '" + driver.names().front() + "' refused channel '" + channel.name_ + "': " + e.what());
  }
  channel.driver_ = nullptr;
  channel.endpoint_ = nullptr;
  endpoint.channel_ = nullptr;
  unbind_endpoint(endpoint);
  return false;
}

void Bus::unbind_driver(Channel& channel, bool call_remove) {
  Driver& driver = *channel.driver_;
  try {
    if (call_remove) driver.remove(channel);
  } catch (const std::exception& e) {
    callback_failures_.bump();
    log("driver '" + driver.names().front() + "' failed to remove channel '" + channel.name_ + "': " + e.what());
  }
  channel.driver_ = nullptr;
  if (channel.endpoint_ != nullptr) {
    channel.endpoint_->channel_ = nullptr;
    unbind_endpoint(*channel.endpoint_);
    channel.endpoint_ = nullptr;
  }
}

// --- name service ----------------------------------------------------------------------------

void Bus::announce(const Channel& channel, AnnouncementKind kind) {
  std::array<std::byte, kAnnouncementSize> payload;
  encode_announcement({channel.name_, channel.source(), kind}, payload);
  const char* what = kind == AnnouncementKind::Create ? "create" : "destroy";
  if (!transmit(channel.source(), kNameServiceAddress, payload, true, options_.send_timeout)) {
    throw Error(ErrorCode::Timeout, std::string("channel '") + channel.name_ + "': no transmit buffer for the " + what +
                                        " announcement within the send timeout");
  }
}

void Bus::on_announcement(std::span<const std::byte> payload, std::uint32_t source) {
  DecodedAnnouncement decoded = decode_announcement(payload);
  if (!decoded.announcement) {
    rejected_announcements_.bump();
    log("name service: rejected a message from " + address_text(source) + ": " + decoded.problem);
    return;
  }
  if (decoded.announcement->kind == AnnouncementKind::Create) {
    on_create(*decoded.announcement);
  } else {
    on_destroy(*decoded.announcement);
  }
}

void Bus::on_create(const Announcement& a) {
  // A local channel of that name still waiting for its peer binds to the announced address.
  if (Channel* local = find_channel_locked(a.name, ChannelOrigin::Local, kAnyAddress)) {
    if (local->destination() == kAnyAddress) {
      local->destination_.store(a.address, std::memory_order_relaxed);
      log("channel '" + a.name + "': peer is at " + address_text(a.address));
      return;
    }
  }
  if (find_channel_locked(a.name, ChannelOrigin::Peer, a.address) != nullptr) {
    rejected_announcements_.bump();
    log("name service: channel '" + a.name + "' at " + address_text(a.address) + " exists already");
    return;
  }
  Channel& channel = add_channel(a.name, ChannelOrigin::Peer, a.address);
  probe_drivers(channel);
  emit_channel(channel, true);
  log("channel '" + a.name + "' created: " + address_text(channel.source()) + " -> " + address_text(a.address) +
      (channel.driver_ != nullptr ? "" : " (no driver yet)"));
}

void Bus::on_destroy(const Announcement& a) {
  if (Channel* peer = find_channel_locked(a.name, ChannelOrigin::Peer, a.address)) {
    erase_channel(*peer);
    log("channel '" + a.name + "' at " + address_text(a.address) + " destroyed by the peer");
    return;
  }
  if (Channel* local = find_channel_locked(a.name, ChannelOrigin::Local, a.address)) {
    local->destination_.store(kAnyAddress, std::memory_order_relaxed);
    log("channel '" + a.name + "': peer at " + address_text(a.address) + " went away");
    return;
  }
  rejected_announcements_.bump();
  log("name service: destroy of unknown channel '" + a.name + "' at " + address_text(a.address));
}

}  // namespace vgen::rpmsg
