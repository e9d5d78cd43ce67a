#include "blk_device.hpp"

#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include <vgen/error.hpp>
#include <vgen/virtio/features.hpp>

namespace vgen::guest {
namespace {

constexpr std::uint64_t kSectorBytes = 512;
constexpr std::uint64_t kChunkBytes = 64 * 1024;  // granularity of write-back on flush
constexpr std::uint32_t kSegMax = 126;             // data segments per request
constexpr std::string_view kSerial = "vgen-guest-blk";

// Request header (§5.2.6): type, reserved, sector; the status byte ends every chain.
struct RequestHeader {
  std::uint32_t type;
  std::uint32_t reserved;
  std::uint64_t sector;
};
static_assert(sizeof(RequestHeader) == 16);

[[noreturn]] void fail(const std::string& what) { throw vgen::Error(what + ": " + std::strerror(errno)); }

}  // namespace

BlkDevice::BlkDevice(const std::string& image) {
  image_fd_ = ::open(image.c_str(), O_RDWR | O_CLOEXEC);
  if (image_fd_ < 0) fail("blk device: cannot open image " + image);
  struct stat info {};
  if (::fstat(image_fd_, &info) != 0) fail("blk device: fstat " + image);
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size == 0 || size % kSectorBytes != 0) {
    throw vgen::Error("blk device: image " + image + " has " + std::to_string(size) +
                      " bytes, not a non-zero multiple of 512");
  }
  disk_.resize(size);
  if (::pread(image_fd_, disk_.data(), size, 0) != static_cast<ssize_t>(size)) fail("blk device: reading " + image);
  dirty_.assign((size + kChunkBytes - 1) / kChunkBytes, false);
}

BlkDevice::~BlkDevice() { ::close(image_fd_); }

std::uint64_t BlkDevice::offered_features() const {
  return virtio::kFeatureVersion1Mask | virtio::feature_bit(VIRTIO_BLK_F_FLUSH) |
         virtio::feature_bit(VIRTIO_BLK_F_BLK_SIZE) | virtio::feature_bit(VIRTIO_BLK_F_SEG_MAX);
}

// §5.2.4: the configuration layout is struct virtio_blk_config, little-endian.
std::vector<std::byte> BlkDevice::initial_config() const {
  virtio_blk_config config{};
  config.capacity = disk_.size() / kSectorBytes;
  config.seg_max = kSegMax;
  config.blk_size = kSectorBytes;
  const auto* bytes = reinterpret_cast<const std::byte*>(&config);
  return {bytes, bytes + sizeof config};
}

void BlkDevice::serve(virtio::DeviceCore& core) {
  virtqueue::DeviceQueue* queue = core.queue(0);
  if (queue == nullptr) return;
  virtqueue::DescriptorChain chain;
  for (;;) {
    bool moved = false;
    while (queue->take(chain)) {
      virtqueue::ChainWriter writer(chain);
      const std::uint8_t status = handle(chain, writer);
      if (chain.writable_bytes() != 0) writer.write(std::as_bytes(std::span(&status, 1)));
      queue->put(chain.head(), writer.written());
      moved = true;
    }
    queue->notify();
    if (!moved || !queue->enable_notifications()) return;
  }
}

// §5.2.6: header (device-readable), data, status byte (the chain's last writable byte).
std::uint8_t BlkDevice::handle(const virtqueue::DescriptorChain& chain, virtqueue::ChainWriter& writer) {
  virtqueue::ChainReader reader(chain);
  RequestHeader header{};
  if (chain.writable_bytes() == 0 || reader.read(std::as_writable_bytes(std::span(&header, 1))) != sizeof header) {
    ++counters_.errors;
    return VIRTIO_BLK_S_IOERR;
  }
  const std::uint64_t data_in = chain.writable_bytes() - 1;
  std::uint8_t status = VIRTIO_BLK_S_UNSUPP;
  switch (header.type) {
    case VIRTIO_BLK_T_IN: status = read(header.sector, writer, data_in); break;
    case VIRTIO_BLK_T_OUT: status = write(header.sector, reader); break;
    case VIRTIO_BLK_T_FLUSH: status = flush(); break;
    case VIRTIO_BLK_T_GET_ID: {
      char id[VIRTIO_BLK_ID_BYTES] = {};
      std::memcpy(id, kSerial.data(), kSerial.size());
      writer.write(std::as_bytes(std::span(id, std::min<std::uint64_t>(sizeof id, data_in))));
      status = VIRTIO_BLK_S_OK;
      break;
    }
    default: break;
  }
  if (status != VIRTIO_BLK_S_OK) ++counters_.errors;
  return status;
}

bool BlkDevice::inside(std::uint64_t sector, std::uint64_t length) const noexcept {
  const std::uint64_t sectors = disk_.size() / kSectorBytes;
  return sector <= sectors && length <= (sectors - sector) * kSectorBytes;
}

std::uint8_t BlkDevice::read(std::uint64_t sector, virtqueue::ChainWriter& writer, std::uint64_t length) {
  if (!inside(sector, length)) return VIRTIO_BLK_S_IOERR;
  writer.write(std::span(disk_).subspan(sector * kSectorBytes, length));
  ++counters_.reads;
  return VIRTIO_BLK_S_OK;
}

std::uint8_t BlkDevice::write(std::uint64_t sector, virtqueue::ChainReader& reader) {
  const std::uint64_t length = reader.remaining();
  if (!inside(sector, length)) return VIRTIO_BLK_S_IOERR;
  const std::uint64_t start = sector * kSectorBytes;
  reader.read(std::span(disk_).subspan(start, length));
  for (std::uint64_t chunk = start / kChunkBytes; length != 0 && chunk <= (start + length - 1) / kChunkBytes; ++chunk) {
    dirty_[chunk] = true;
  }
  ++counters_.writes;
  return VIRTIO_BLK_S_OK;
}

// §5.2.6.2 FLUSH: everything written before is made durable before the request completes.
std::uint8_t BlkDevice::flush() {
  for (std::size_t chunk = 0; chunk < dirty_.size(); ++chunk) {
    if (!dirty_[chunk]) continue;
    const std::uint64_t start = chunk * kChunkBytes;
    const std::uint64_t length = std::min<std::uint64_t>(kChunkBytes, disk_.size() - start);
    if (::pwrite(image_fd_, disk_.data() + start, length, static_cast<off_t>(start)) != static_cast<ssize_t>(length)) {
      return VIRTIO_BLK_S_IOERR;
    }
    dirty_[chunk] = false;
  }
  if (::fdatasync(image_fd_) != 0) return VIRTIO_BLK_S_IOERR;
  ++counters_.flushes;
  return VIRTIO_BLK_S_OK;
}

}  // namespace vgen::guest
