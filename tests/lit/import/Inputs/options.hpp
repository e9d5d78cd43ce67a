// A C++ header: a struct in a namespace, imported by its qualified name.
#include <cstdint>

namespace wire {
struct header {
  std::uint16_t kind;
  std::uint64_t stamp;
};
}  // namespace wire
