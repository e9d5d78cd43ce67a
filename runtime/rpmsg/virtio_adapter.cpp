#include <vgen/rpmsg/virtio_adapter.hpp>

#include <vgen/rpmsg/error.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/driver_core.hpp>

namespace vgen::rpmsg {

// Rings and buffers of one device, carved once from the allocator.
struct VirtioHostDriver::Area {
  virtqueue::RingAddresses rings[2];
  BufferArea buffers;
};

// One bound device.
struct VirtioHostDriver::Session {
  Session(virtio::Transport& transport, const shm::GuestMemory& memory) : core(transport, memory) {}
  virtio::DriverCore core;
  std::optional<HostLink> link;
  std::unique_ptr<Bus> bus;
};

namespace {

virtqueue::RingAddresses allocate_rings(shm::Allocator& allocator, std::uint32_t size) {
  virtqueue::RingAddresses rings;
  rings.desc = allocator.allocate(virtqueue::desc_table_bytes(size), 64);
  rings.avail = allocator.allocate(virtqueue::avail_ring_bytes(size), 64);
  rings.used = allocator.allocate(virtqueue::used_ring_bytes(size), 64);
  return rings;
}

}  // namespace

VirtioHostDriver::VirtioHostDriver(const shm::GuestMemory& memory, shm::Allocator& allocator, VirtioHostOptions options)
    : virtio::BusDriver("virtio-rpmsg", {virtio::DeviceMatch::id(kDeviceId)}),
      memory_(memory),
      allocator_(allocator),
      options_(std::move(options)) {}

VirtioHostDriver::~VirtioHostDriver() = default;

void VirtioHostDriver::probe(virtio::BusDevice& device) {
  virtio::Transport* transport = device.transport();
  if (transport == nullptr) {
    throw Error(ErrorCode::InvalidConfig, "virtio-rpmsg: device '" + device.name() + "' has no transport");
  }
  std::unique_ptr<Area>& area = areas_[&device];
  if (!area) {
    area = std::make_unique<Area>();
    for (auto& rings : area->rings) rings = allocate_rings(allocator_, options_.queue_size);
    area->buffers = {allocator_.allocate(2ull * options_.queue_size * options_.buffer_size, 64), options_.queue_size,
                     options_.buffer_size};
  }
  auto session = std::make_unique<Session>(*transport, memory_);
  const std::uint64_t features = session->core.initialize(kVirtioFeatures, [&](virtio::DriverCore& core) {
    virtqueue::SplitDriverQueue& rx = core.setup_queue(0, options_.queue_size, area->rings[0]);
    virtqueue::SplitDriverQueue& tx = core.setup_queue(1, options_.queue_size, area->rings[1]);
    // §3.1.1 step 7: the receive queue is stocked before DRIVER_OK; its kick waits for it.
    session->link.emplace(memory_, area->buffers, &transport->interrupt());
    session->link->attach(rx, tx);
  });
  BusOptions bus_options = options_.bus;
  bus_options.name_service = (features & virtio::feature_bit(kFeatureNameService)) != 0;
  session->bus = std::make_unique<Bus>(*session->link, bus_options);
  Bus& bus = *session->bus;
  sessions_[&device] = std::move(session);
  try {
    if (options_.on_bus) options_.on_bus(bus);
    bus.handle_interrupt();  // announcements the remote made at DRIVER_OK
  } catch (...) {
    remove(device);  // a failed probe leaves the device unbound and reset
    throw;
  }
}

void VirtioHostDriver::remove(virtio::BusDevice& device) {
  const auto it = sessions_.find(&device);
  if (it == sessions_.end()) return;
  Session& session = *it->second;
  session.bus.reset();
  session.link->detach();
  session.core.shutdown();  // §3.3: reset, then take the buffers back
  sessions_.erase(it);
}

Bus* VirtioHostDriver::bus(const virtio::BusDevice& device) const {
  const auto it = sessions_.find(&device);
  return it == sessions_.end() ? nullptr : it->second->bus.get();
}

std::size_t VirtioHostDriver::service(virtio::BusDevice& device) {
  const auto it = sessions_.find(&device);
  if (it == sessions_.end()) {
    throw Error(ErrorCode::NotFound, "virtio-rpmsg: device '" + device.name() + "' is not bound to this driver");
  }
  it->second->core.handle_interrupt();
  return it->second->bus->handle_interrupt();
}

VirtioRemoteDevice::VirtioRemoteDevice(VirtioRemoteOptions options) : options_(std::move(options)) {}

VirtioRemoteDevice::~VirtioRemoteDevice() { stop(); }

void VirtioRemoteDevice::start(virtio::DeviceCore& core) {
  virtqueue::DeviceQueue* host_rx = core.queue(0);
  virtqueue::DeviceQueue* host_tx = core.queue(1);
  if (host_rx == nullptr || host_tx == nullptr || bus_) return;
  link_.emplace(*host_rx, *host_tx, options_.buffer_size, nullptr, options_.link);
  BusOptions bus_options = options_.bus;
  bus_options.name_service = core.has_feature(kFeatureNameService);
  bus_ = std::make_unique<Bus>(*link_, bus_options);
  if (options_.on_bus) options_.on_bus(*bus_);
  // Notifications are this side's only trigger: handle_interrupt() leaves them armed.
  bus_->handle_interrupt();
}

void VirtioRemoteDevice::stop() noexcept {
  bus_.reset();
  link_.reset();
}

void VirtioRemoteDevice::activate(virtio::DeviceCore& core) { start(core); }

void VirtioRemoteDevice::queue_notified(virtio::DeviceCore& /*core*/, std::uint16_t /*index*/) {
  if (bus_) bus_->handle_interrupt();
}

void VirtioRemoteDevice::queue_enabled(virtio::DeviceCore& core, std::uint16_t /*index*/) { start(core); }

void VirtioRemoteDevice::queue_stopped(virtio::DeviceCore& /*core*/, std::uint16_t /*index*/) { stop(); }

void VirtioRemoteDevice::reset(virtio::DeviceCore& /*core*/) { stop(); }

}  // namespace vgen::rpmsg
