// Describing register accesses.
#include "access.hpp"

#include <cstdio>

#include <vgen/virtio/mmio_registers.hpp>

namespace vgen::conform::virtio_checks {

std::string describe(const Access& a) {
  char buffer[128];
  const char* name = a.offset >= virtio::mmio::kConfig ? "config" : virtio::mmio::register_info(a.offset).name;
  std::snprintf(buffer, sizeof buffer, "%s %s (0x%03x, %u bytes) 0x%x", a.write ? "write" : "read", name, a.offset,
                a.width, a.value);
  return buffer;
}

}  // namespace vgen::conform::virtio_checks
