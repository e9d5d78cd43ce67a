// Fuzzes the device side's chain walk: the input is the whole guest memory a hostile driver
// controls (descriptor table, avail ring, indirect tables, buffers). Any outcome but a clean
// take() or a virtqueue::Error is a bug; ASan/UBSan catch out-of-bounds and undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <vgen/virtqueue/split_device.hpp>

using namespace vgen;

namespace {

constexpr shm::GuestAddress kBase = 0x1000;
constexpr std::size_t kBytes = 16384;

void serve(virtqueue::SplitDeviceQueue& device) {
  virtqueue::DescriptorChain chain;
  std::byte scratch[256];
  for (int i = 0; i < 64 && device.take(chain); ++i) {
    virtqueue::ChainReader reader(chain);
    while (reader.read(scratch) == sizeof scratch) {
    }
    virtqueue::ChainWriter writer(chain);
    while (writer.write(scratch) == sizeof scratch) {
    }
    device.put(chain.head(), writer.written());
  }
  device.publish();
  device.enable_notifications();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint32_t queue_size = 1u << (data[0] % 8);
  virtqueue::QueueConfig config;
  config.size = queue_size;
  config.features = {(data[1] & 1) != 0, (data[1] & 2) != 0};
  config.addresses = virtqueue::contiguous_layout(kBase, queue_size, 64);
  alignas(4096) static std::byte memory_bytes[kBytes];
  std::memset(memory_bytes, 0, kBytes);
  std::memcpy(memory_bytes, data + 2, std::min(size - 2, kBytes));
  shm::GuestMemory memory;
  memory.add_borrowed(kBase, memory_bytes, kBytes);
  virtqueue::SplitDeviceQueue device(memory, config);
  try {
    serve(device);
  } catch (const virtqueue::Error&) {
    if (!device.broken()) __builtin_trap();  // an error must leave the queue broken
  }
  return 0;
}
