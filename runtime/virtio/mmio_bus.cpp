#include <vgen/virtio/mmio_bus.hpp>

namespace vgen::virtio {

const char* to_string(AccessFault fault) noexcept {
  switch (fault) {
    case AccessFault::None:
      return "None";
    case AccessFault::BadWidth:
      return "BadWidth";
    case AccessFault::Undefined:
      return "Undefined";
    case AccessFault::ReadOnly:
      return "ReadOnly";
    case AccessFault::WriteOnly:
      return "WriteOnly";
    case AccessFault::Rejected:
      return "Rejected";
  }
  return "unknown";
}

}  // namespace vgen::virtio
