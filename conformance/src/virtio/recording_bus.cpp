// Recording virtio-mmio accesses.
#include "recording_bus.hpp"

namespace vgen::conform::virtio_checks {

virtio::AccessResult RecordingBus::read(std::uint32_t offset, unsigned width) {
  std::lock_guard lock(mutex_);
  Access a{offset, width, false};
  observer_.before(a);
  behaviour_.before_read(a);
  virtio::AccessResult r = registers_.read(offset, width);
  a.fault = r.fault;
  if (r.fault == virtio::AccessFault::None) r.value = behaviour_.answer(a, r.value);
  a.value = r.value;
  observer_.after(a);
  behaviour_.after(a);
  return r;
}

virtio::AccessResult RecordingBus::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
  std::lock_guard lock(mutex_);
  Access a{offset, width, true, value};
  observer_.before(a);
  behaviour_.before_write(a);
  const virtio::AccessResult r = registers_.write(offset, width, value);
  a.fault = r.fault;
  observer_.after(a);
  behaviour_.after(a);
  return r;
}

}  // namespace vgen::conform::virtio_checks
