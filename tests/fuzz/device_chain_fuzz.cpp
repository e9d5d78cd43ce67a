// Fuzzes the device side's chain walk: the input is the whole guest memory a hostile driver
// controls (descriptor table, avail ring, indirect tables, buffers). Any outcome but a clean
// take() or a virtqueue::Error is a bug; ASan/UBSan catch out-of-bounds and undefined behaviour.
// Checked besides: a taken chain totals at most 2^32 bytes and its used len is every writable
// byte, saturated at 2^32 - 1, never wrapped; a broken queue refuses every ring call.
//
// Guest memory is the 16 KiB of input at kBase plus a reserved 2 GiB + 4 KiB area at kHugeBase
// whose pages are never written (chains that reach into it are skipped, not written), so
// descriptors there can make chains of 2^32 bytes and more.
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <vgen/virtqueue/split_device.hpp>

using namespace vgen;

namespace {

constexpr shm::GuestAddress kBase = 0x1000;
constexpr std::size_t kBytes = 16384;
constexpr shm::GuestAddress kHugeBase = 0x100000000ull;
constexpr std::uint64_t kHugeBytes = (1ull << 31) + 4096;
constexpr std::uint64_t kCopyLimit = 65536;  // chains up to this size are read and written for real

alignas(4096) std::byte memory_bytes[kBytes];

void check(bool ok) {
  if (!ok) __builtin_trap();
}

std::byte* huge_area() {
  static void* area = mmap(nullptr, kHugeBytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  check(area != MAP_FAILED);
  return static_cast<std::byte*>(area);
}

// True if every writable segment lies in the input memory (the huge area is read-only).
bool writable_in_input(const virtqueue::DescriptorChain& chain) {
  return std::all_of(chain.writable().begin(), chain.writable().end(), [](const virtqueue::Segment& s) {
    return s.data >= memory_bytes && s.data + s.length <= memory_bytes + kBytes;
  });
}

// Reads and writes a small chain for real; skips through a large one. Returns the used len.
std::uint32_t serve_one(const virtqueue::DescriptorChain& chain) {
  check(chain.readable_bytes() + chain.writable_bytes() <= virtqueue::kMaxChainBytes);
  std::byte scratch[256];
  virtqueue::ChainReader reader(chain);
  for (std::uint64_t read = 0; read < kCopyLimit && reader.read(scratch) == sizeof scratch; read += sizeof scratch) {
  }
  virtqueue::ChainWriter writer(chain);
  if (chain.writable_bytes() <= kCopyLimit && writable_in_input(chain)) {
    while (writer.write(scratch) == sizeof scratch) {
    }
  }
  writer.skip(writer.remaining());
  check(writer.remaining() == 0);
  check(writer.written() == std::min<std::uint64_t>(chain.writable_bytes(), virtqueue::kMaxUsedLength));
  return writer.written();
}

void serve(virtqueue::SplitDeviceQueue& device) {
  virtqueue::DescriptorChain chain;
  for (int i = 0; i < 64 && device.take(chain); ++i) device.put(chain.head(), serve_one(chain));
  device.publish();
  device.enable_notifications();
  device.disable_notifications();
}

// Every ring call of a broken queue throws Broken.
void check_broken(virtqueue::SplitDeviceQueue& device) {
  const auto refuses = [](auto&& call) {
    try {
      call();
      return false;
    } catch (const virtqueue::Error& e) {
      return e.code() == virtqueue::ErrorCode::Broken;
    }
  };
  virtqueue::DescriptorChain chain;
  check(refuses([&] { device.take(chain); }));
  check(refuses([&] { device.put(0, 0); }));
  check(refuses([&] { device.publish(); }));
  check(refuses([&] { device.notify(); }));
  check(refuses([&] { device.available(); }));
  check(refuses([&] { device.enable_notifications(); }));
  check(refuses([&] { device.disable_notifications(); }));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint32_t queue_size = 1u << (data[0] % 8);
  virtqueue::QueueConfig config;
  config.size = queue_size;
  config.features = {(data[1] & 1) != 0, (data[1] & 2) != 0};
  config.addresses = virtqueue::contiguous_layout(kBase, queue_size, 64);
  std::memset(memory_bytes, 0, kBytes);
  std::memcpy(memory_bytes, data + 2, std::min(size - 2, kBytes));
  shm::GuestMemory memory;
  memory.add_borrowed(kBase, memory_bytes, kBytes);
  memory.add_borrowed(kHugeBase, huge_area(), kHugeBytes);
  virtqueue::SplitDeviceQueue device(memory, config);
  try {
    serve(device);
  } catch (const virtqueue::Error&) {
    check(device.broken());  // an error must leave the queue broken
    check_broken(device);
  }
  return 0;
}
