// Fuzzes the ring observer of `vgen trace tap` and `vgen trace attach` (virtqueue::RingObserver
// reading through the tap's ObservedGuestMemory): the input is the ring layout (size, where the
// three parts are, the positions to start from, whether a broken rule stops the ring) and the
// whole guest memory a hostile driver and device control (descriptor table, avail and used
// rings, indirect tables, buffers). Every event it records is encoded as the recorder would
// (copying the bytes of its buffers), so a buffer it hands on that holds fewer bytes than it
// claims shows up under ASan. Checked besides: a broken observer records nothing more, only a
// stopping one breaks, and no poll records more than the ring's entries twice.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <vgen/shm/memory.hpp>
#include <vgen/trace/record.hpp>
#include <vgen/virtqueue/error.hpp>
#include <vgen/virtqueue/observed_guest_memory.hpp>
#include <vgen/virtqueue/ring_observer.hpp>

namespace {

constexpr vgen::shm::GuestAddress kBase = 0x10000;
constexpr std::size_t kBytes = 16384;

alignas(4096) std::byte memory_bytes[kBytes];

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Encodes every event into a record, as the recorder does.
class Encoding final : public vgen::trace::TraceSink {
 public:
  void record(const vgen::trace::Event& event) noexcept override {
    const auto size = vgen::trace::encoded_size(event, 256);
    buffer_.resize(size.captured);
    vgen::trace::encode(event, 256, buffer_);
    ++count;
  }
  std::size_t count = 0;

 private:
  std::vector<std::byte> buffer_;
};

std::uint16_t u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 10) return 0;
  // The layout: size (a power of two up to 256, or anything), part offsets, first positions
  // (bit 0 of data[9]: the used one given too; bit 1: the avail one taken from the ring),
  // whether a broken rule stops the ring (bit 2) or is tolerated.
  const std::uint32_t ring_size = data[0] < 9 ? 1u << data[0] : data[0];
  vgen::virtqueue::ObservedRing ring;
  ring.size = ring_size;
  ring.addresses = {kBase + (u16(data + 1) % kBytes), kBase + (u16(data + 3) % kBytes),
                    kBase + (u16(data + 5) % kBytes)};
  if ((data[9] & 2) == 0) ring.first_avail = u16(data + 7);
  if ((data[9] & 1) != 0) ring.first_used = u16(data + 7);
  const bool stops = (data[9] & 4) != 0;
  ring.on_broken_rule = stops ? vgen::virtqueue::OnBrokenRule::Stop : vgen::virtqueue::OnBrokenRule::Tolerate;
  std::memset(memory_bytes, 0, kBytes);
  std::memcpy(memory_bytes, data + 10, std::min(size - 10, kBytes));
  vgen::shm::GuestMemory memory;
  memory.add_borrowed(kBase, memory_bytes, kBytes);
  vgen::virtqueue::ObservedGuestMemory regions(memory);
  Encoding sink;
  std::unique_ptr<vgen::virtqueue::RingObserver> observer;
  try {
    observer = std::make_unique<vgen::virtqueue::RingObserver>(regions, sink, ring);
  } catch (const vgen::virtqueue::Error&) {
    return 0;  // not a ring inside the memory: refused before anything is read
  }
  for (int round = 0; round < 3; ++round) {
    const bool was_broken = observer->broken();
    const std::size_t before = sink.count;
    // The memory does not shrink, so a tolerant observer never throws here.
    observer->poll();
    check(!was_broken || sink.count == before);
    check(stops || !observer->broken());
    check(sink.count - before <= 2u * ring_size + 1u);
    // The driver and device move on between polls: the input's tail rewrites the indices.
    if (size > 10 + kBytes + 4 * round + 4) {
      std::memcpy(memory_bytes + (ring.addresses.avail - kBase + 2) % (kBytes - 1), data + 10 + kBytes + 4 * round, 1);
    }
  }
  return 0;
}
