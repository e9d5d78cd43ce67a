// Fuzzes the vhost-user back end's message handling: the input is a stream of messages as a
// hostile front end would send them (headers, payloads; the harness attaches a memfd or an
// eventfd wherever a request takes fds). With the first byte odd, a valid set-up (features,
// a memory table over a memfd, ring 0 started) comes first and the next 4 KiB of input become
// the ring memory, so the rings are fuzzed too. Every outcome but a handled request or a
// vhost_user::Error (the connection would close) is a bug; ASan/UBSan catch the rest.
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <vgen/vhost_user/device.hpp>
#include <vgen/vhost_user/memory_table.hpp>
#include <vgen/vhost_user/message.hpp>
#include <vgen/vhost_user/session.hpp>
#include <vgen/virtio/features.hpp>
#include <vgen/virtqueue/chain.hpp>

using namespace vgen;

namespace {

constexpr std::uint64_t kGuestBase = 0x10000000;
constexpr std::uint64_t kUserBase = 0x7f0000000000;
constexpr std::size_t kRamBytes = 1 << 20;
constexpr std::size_t kRingBytes = 4096;

// Echoes every chain on queue 0, as device models do.
class FuzzDevice final : public virtio::DeviceModel {
 public:
  virtio::DeviceIdentity identity() const override { return {0x7669, 0}; }
  std::uint64_t offered_features() const override { return virtio::kFeatureVersion1Mask; }
  std::vector<std::uint32_t> queue_max_sizes() const override { return {256, 0, 16}; }
  std::vector<std::byte> initial_config() const override { return std::vector<std::byte>(16); }
  void queue_notified(virtio::DeviceCore& core, std::uint16_t index) override {
    virtqueue::DeviceQueue* queue = core.queue(index);
    if (queue == nullptr) return;
    virtqueue::DescriptorChain chain;
    std::byte scratch[64];
    for (int i = 0; i < 64 && queue->take(chain); ++i) {
      virtqueue::ChainReader reader(chain);
      const std::size_t got = reader.read(scratch);
      virtqueue::ChainWriter writer(chain);
      writer.write(std::span(scratch, got));
      queue->put(chain.head(), writer.written());
    }
    queue->notify();
  }
};

int memfd() {
  static const int fd = [] {
    const int created = memfd_create("vhost-fuzz-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (created < 0 || ftruncate(created, kRamBytes) != 0) __builtin_trap();
    return created;
  }();
  return fd;
}

std::byte* ram() {
  static std::byte* mapped = static_cast<std::byte*>(
      mmap(nullptr, kRamBytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd(), 0));
  return mapped;
}

vhost_user::Message message(std::uint32_t request, const void* payload, std::size_t size) {
  vhost_user::Message m;
  m.header = {request, vhost_user::kVersion, static_cast<std::uint32_t>(size)};
  const auto* bytes = static_cast<const std::byte*>(payload);
  m.payload.assign(bytes, bytes + size);
  return m;
}

// The fds a request of this kind takes: memfds for memory, an eventfd otherwise.
void attach_fds(vhost_user::Message& m) {
  using vhost_user::Request;
  std::size_t count = 0;
  bool memory = false;
  switch (static_cast<Request>(m.header.request)) {
    case Request::SetMemTable:
      count = m.payload.size() >= 4 ? std::min<std::uint32_t>(std::to_integer<std::uint32_t>(m.payload[0]), 8) : 0;
      memory = true;
      break;
    case Request::AddMemReg: count = 1; memory = true; break;
    case Request::SetVringKick:
    case Request::SetVringCall:
    case Request::SetVringErr:
      count = m.payload.size() == 8 && (std::to_integer<unsigned>(m.payload[1]) & 1) != 0 ? 0 : 1;
      break;
    case Request::SetBackendReqFd: count = 1; break;
    default: break;
  }
  for (std::size_t i = 0; i < count; ++i) {
    m.fds.emplace_back(memory ? dup(memfd()) : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  }
}

// Handles one request; false once the connection would be closed.
bool handle(vhost_user::Session& session, vhost_user::Message& m) {
  try {
    session.handle(m);
    for (const vhost_user::KickSource& kick : session.kick_sources()) session.kicked(kick.ring);
    return true;
  } catch (const vhost_user::Error&) {
    return false;
  }
}

// Features, a memory table over the memfd and ring 0 (64 entries at the start of memory).
bool valid_setup(vhost_user::Session& session) {
  const std::uint64_t protocol = session.offered_protocol_features();
  const std::uint64_t features = virtio::kFeatureVersion1Mask | (1ull << 30) | (1ull << 28) | (1ull << 29);
  const struct { std::uint32_t count, padding; std::uint64_t guest, size, user, offset; } table{
      1, 0, kGuestBase, kRamBytes, kUserBase, 0};
  const vhost_user::VringState num{0, 64};
  const vhost_user::VringState base{0, 0};
  const vhost_user::VringAddress address{0, 0, kUserBase, kUserBase + 2048, kUserBase + 1024, 0};
  const std::uint64_t ring0 = 0;
  const vhost_user::VringState enable{0, 1};
  std::vector<vhost_user::Message> steps;
  steps.push_back(message(16, &protocol, 8));
  steps.push_back(message(3, nullptr, 0));
  steps.push_back(message(2, &features, 8));
  steps.push_back(message(5, &table, sizeof table));
  steps.push_back(message(8, &num, 8));
  steps.push_back(message(10, &base, 8));
  steps.push_back(message(9, &address, sizeof address));
  steps.push_back(message(12, &ring0, 8));
  steps.push_back(message(18, &enable, 8));
  for (vhost_user::Message& m : steps) {
    attach_fds(m);
    if (!handle(session, m)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static FuzzDevice model;
  static vhost_user::MemoryTable memory;
  static vhost_user::Device device(model, memory.guest(), [](const std::string&) {});
  const bool scripted = (data[0] & 1) != 0;
  ++data;
  --size;
  std::memset(ram(), 0, kRingBytes);
  if (scripted) {
    const std::size_t ring = std::min(size, kRingBytes);
    std::memcpy(ram(), data, ring);
    data += ring;
    size -= ring;
  }
  vhost_user::Session session(device, memory, [](const std::string&) {});
  if (scripted && !valid_setup(session)) __builtin_trap();  // the set-up itself must be accepted
  while (size >= vhost_user::kHeaderBytes) {
    vhost_user::Message m;
    m.header = vhost_user::decode_header(std::span<const std::byte, vhost_user::kHeaderBytes>(
        reinterpret_cast<const std::byte*>(data), vhost_user::kHeaderBytes));
    data += vhost_user::kHeaderBytes;
    size -= vhost_user::kHeaderBytes;
    try {
      vhost_user::check_request_header(m.header);
    } catch (const vhost_user::Error&) {
      break;
    }
    const std::size_t length = std::min<std::size_t>(m.header.size, size);
    m.payload.assign(reinterpret_cast<const std::byte*>(data), reinterpret_cast<const std::byte*>(data) + length);
    data += length;
    size -= length;
    attach_fds(m);
    if (!handle(session, m)) break;
  }
  return 0;
}
