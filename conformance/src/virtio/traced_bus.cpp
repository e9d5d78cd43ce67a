// Recording the harness's own register accesses.
#include "traced_bus.hpp"

namespace vgen::conform::virtio_checks {

virtio::AccessResult TracedBus::read(std::uint32_t offset, unsigned width) {
  const virtio::AccessResult result = inner_.read(offset, width);
  sink_.record({trace::EventKind::MmioRead, 0, static_cast<std::uint16_t>(width), offset, result.value,
                static_cast<std::uint64_t>(result.fault)});
  return result;
}

virtio::AccessResult TracedBus::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
  const virtio::AccessResult result = inner_.write(offset, width, value);
  sink_.record({trace::EventKind::MmioWrite, 0, static_cast<std::uint16_t>(width), offset, value,
                static_cast<std::uint64_t>(result.fault)});
  return result;
}

}  // namespace vgen::conform::virtio_checks
