// Generated pairs (VirtIO, split and rpmsg) as conformance targets.
#include <vgen/conform/pair.hpp>

#include <cstring>
#include <string_view>

#include <vgen/conform/trace.hpp>
#include <vgen/halves/virtio_device.hpp>
#include <vgen/halves/virtio_driver.hpp>

namespace vgen::conform {
namespace {

// One request per queue, shaped by the spec: the device's framing answers it without input
// from elsewhere, except on device-to-driver queues, where a buffer waits for data.
std::vector<VirtioProbe> spec_probes(const halves::VirtioSpec& spec) {
  std::vector<VirtioProbe> probes;
  for (std::size_t i = 0; i < spec.queues.size(); ++i) {
    const halves::QueueSpec& q = spec.queues[i];
    if (q.feature && (spec.offered_features & virtio::feature_bit(*q.feature)) == 0) continue;
    VirtioProbe p;
    p.queue = static_cast<std::uint16_t>(i);
    switch (q.direction) {
      case halves::Direction::driver_to_device:
        p.readable.assign(q.message_bytes, std::byte{0});
        break;
      case halves::Direction::device_to_driver:
        p.writable = q.message_bytes;
        p.answered = false;
        p.find_out = true;  // a device that produces on its own answers it, one that relays waits
        break;
      case halves::Direction::bidirectional:
        p.readable.assign(q.message_bytes, std::byte{0});
        p.writable = q.reply_bytes + (q.raw ? halves::kRawBufferBytes : 0);
        break;
    }
    probes.push_back(std::move(p));
  }
  return probes;
}

}  // namespace

bool requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--conform" || arg == "--conform-describe" || arg.rfind("--conform-serve", 0) == 0) return true;
  }
  return false;
}

VirtioTarget virtio_pair_target(const pair::VirtioHalves& halves) {
  VirtioTarget target;
  target.name = std::string(halves.spec->name);
  target.make_device = [make = halves.make_device]() -> std::unique_ptr<virtio::DeviceModel> { return make(); };
  target.run_driver = [halves](virtio::Transport& transport, const shm::GuestMemory& memory,
                               shm::Allocator& allocator) {
    const std::unique_ptr<halves::VirtioDriverQueues> driver = halves.make_driver(transport, memory, allocator);
    driver->core().set_trace(check_trace());  // --trace: the driver's queues, status and configuration reads
    driver->start();
    const bool complete = halves.run_demo(*driver);
    driver->stop();
    return complete;
  };
  target.probes = spec_probes(*halves.spec);
  return target;
}

RpmsgTarget rpmsg_pair_target(const pair::RpmsgHalves& halves) {
  RpmsgTarget target;
  target.name = std::string(halves.spec->name);
  target.halves = halves;
  return target;
}

SplitTarget split_pair_target(const pair::SplitHalves& halves) {
  SplitTarget target;
  target.name = std::string(halves.spec->name);
  target.halves = halves;
  return target;
}

}  // namespace vgen::conform
