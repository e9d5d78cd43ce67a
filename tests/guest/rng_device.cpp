#include "rng_device.hpp"

#include <vector>

#include <vgen/virtio/features.hpp>
#include <vgen/virtqueue/chain.hpp>

#include "seeded_stream.hpp"

namespace vgen::guest {

std::uint64_t RngDevice::offered_features() const { return virtio::kFeatureVersion1Mask; }

// §5.4.6: the device fills each device-writable buffer with random bytes and returns it.
// Works the queue until it is empty and the driver was asked for kicks again (split queue's
// no-lost-wake-up loop).
void RngDevice::serve(virtio::DeviceCore& core) {
  virtqueue::DeviceQueue* queue = core.queue(0);
  if (queue == nullptr) return;
  virtqueue::DescriptorChain chain;
  std::vector<std::byte> bytes;
  for (;;) {
    bool moved = false;
    while (queue->take(chain)) {
      bytes.resize(static_cast<std::size_t>(chain.writable_bytes()));
      for (std::byte& b : bytes) b = static_cast<std::byte>(stream_byte(seed_, position_++));
      virtqueue::ChainWriter writer(chain);
      writer.write(bytes);
      queue->put(chain.head(), writer.written());
      moved = true;
    }
    queue->notify();
    if (!moved || !queue->enable_notifications()) return;
  }
}

}  // namespace vgen::guest
