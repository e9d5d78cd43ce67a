// Fuzzes vgen trace tap's ring observer: the input is the ring layout (size, where the three
// parts are, the avail index to start from) and the whole guest memory a hostile driver and
// device control (descriptor table, avail and used rings, indirect tables, buffers). Every
// event it records is encoded as the recorder would (copying the bytes of its buffers), so a
// buffer it hands on that is not inside the memory shows up under ASan. Checked besides: a
// broken observer records nothing more, and no scan records more than the ring's entries twice.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <vgen/shm/memory.hpp>
#include <vgen/trace/record.hpp>
#include <vgen/trace_tap/ring_observer.hpp>

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
  // The layout: size (a power of two up to 256, or anything), part offsets, first avail index.
  const std::uint16_t ring_size = static_cast<std::uint16_t>(data[0] < 9 ? 1u << data[0] : data[0]);
  vgen::trace_tap::RingLayout layout{kBase + (u16(data + 1) % kBytes), kBase + (u16(data + 3) % kBytes),
                                     kBase + (u16(data + 5) % kBytes), ring_size};
  const std::uint16_t next_avail = u16(data + 7);
  const bool start_used = (data[9] & 1) != 0;
  std::memset(memory_bytes, 0, kBytes);
  std::memcpy(memory_bytes, data + 10, std::min(size - 10, kBytes));
  vgen::shm::GuestMemory memory;
  memory.add_borrowed(kBase, memory_bytes, kBytes);
  vgen::trace_tap::RingObserver observer(0, layout, memory, next_avail,
                                         start_used ? std::optional<std::uint16_t>(u16(data + 7)) : std::nullopt);
  Encoding sink;
  for (int round = 0; round < 3; ++round) {
    const bool was_broken = observer.broken();
    const std::size_t before = sink.count;
    observer.scan(sink);
    check(!was_broken || sink.count == before);
    check(sink.count - before <= 2u * ring_size + 1u);
    // The driver and device move on between scans: the input's tail rewrites the indices.
    if (size > 10 + kBytes + 4 * round + 4) {
      std::memcpy(memory_bytes + (layout.avail - kBase + 2) % (kBytes - 1), data + 10 + kBytes + 4 * round, 1);
    }
  }
  return 0;
}
