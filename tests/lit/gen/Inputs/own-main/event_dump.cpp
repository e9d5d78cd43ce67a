// Its own main(): encodes a virtio-input event with the generated message type.
#include <cstdio>

#include "virtio_input_messages.hpp"

int main() {
  virtio_input::VirtioInputEvent event{};
  event.set_type(1);
  event.set_code(30);
  event.set_value(1);
  const auto* bytes = reinterpret_cast<const unsigned char*>(&event);
  std::printf("event-dump: %s, %zu bytes, first %02x %02x %02x\n", virtio_input::describe(event).c_str(),
              sizeof event, bytes[0], bytes[1], bytes[2]);
  return 0;
}
