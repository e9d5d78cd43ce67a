// virtio-blk: the device half's request handling (§5.2.6).
#include "virtio_blk_device.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <vgen/error.hpp>

namespace virtio_blk {
namespace {

/// §5.2.6: the answer to GET_ID is a 20-byte string, NUL-padded.
constexpr std::size_t kIdBytes = 20;
constexpr std::string_view kId = "vgen-virtio-blk";
/// Granularity of the write-back to the image on FLUSH.
constexpr std::uint64_t kChunkBytes = 64 * 1024;
/// §5.2.4 seg_max and size_max: a request's data fits in 126 segments of at most 4 KiB, so
/// every request stays well below the 1 MiB the device half accepts per chain.
constexpr std::uint32_t kSegmentsPerRequest = 126;
constexpr std::uint32_t kSegmentBytes = 4096;

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

[[noreturn]] void fail(const std::string& what) { throw vgen::Error(what + ": " + std::strerror(errno)); }

BlkRequestStatus status(BlkStatusCode code) {
  BlkRequestStatus result;
  result.set_status(code);
  return result;
}

}  // namespace

VirtioBlkDevice::VirtioBlkDevice(std::uint64_t sectors) {
  const char* image = std::getenv(kImageVariable);
  if (image == nullptr || *image == '\0') {
    disk_.resize(sectors * kSectorBytes);
    return;
  }
  image_fd_ = ::open(image, O_RDWR | O_CLOEXEC);
  if (image_fd_ < 0) fail(std::string("virtio-blk: cannot open image ") + image);
  struct stat info {};
  if (::fstat(image_fd_, &info) != 0) fail(std::string("virtio-blk: fstat ") + image);
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size == 0 || size % kSectorBytes != 0) {
    ::close(image_fd_);
    throw vgen::Error(std::string("virtio-blk: image ") + image + " has " + std::to_string(size) +
                      " bytes, not a non-zero multiple of 512");
  }
  disk_.resize(size);
  if (::pread(image_fd_, disk_.data(), size, 0) != static_cast<ssize_t>(size)) {
    ::close(image_fd_);
    fail(std::string("virtio-blk: reading ") + image);
  }
  dirty_.assign((size + kChunkBytes - 1) / kChunkBytes, false);
  log("disk: " + std::to_string(size / kSectorBytes) + " sectors from " + image);
}

VirtioBlkDevice::~VirtioBlkDevice() {
  if (image_fd_ >= 0) ::close(image_fd_);
}

std::uint64_t VirtioBlkDevice::offered_features() const {
  using vgen::virtio::feature_bit;
  return kSpec.offered_features & ~(feature_bit(kFeatureVirtioBlkFRo) | feature_bit(kFeatureVirtioBlkFGeometry) |
                                    feature_bit(kFeatureVirtioBlkFTopology));
}

VirtioBlkConfig VirtioBlkDevice::config_defaults() const {
  VirtioBlkConfig config;
  config.set_capacity(disk_.size() / kSectorBytes);
  config.set_size_max(kSegmentBytes);
  config.set_seg_max(kSegmentsPerRequest);
  config.set_blk_size(kSectorBytes);  // §5.2.5: a driver may refuse a zero block size
  config.set_wce(1);                  // write-back: the driver sends FLUSH to commit writes
  config.set_num_queues(1);
  return config;
}

std::span<std::byte> VirtioBlkDevice::extent(std::uint64_t sector, std::size_t bytes) {
  const std::uint64_t sectors = disk_.size() / kSectorBytes;
  if (sector >= sectors || bytes > (sectors - sector) * kSectorBytes) return {};
  return std::span(disk_).subspan(static_cast<std::size_t>(sector * kSectorBytes), bytes);
}

void VirtioBlkDevice::mark_dirty(std::uint64_t offset, std::size_t bytes) {
  if (image_fd_ < 0 || bytes == 0) return;
  for (std::uint64_t chunk = offset / kChunkBytes; chunk <= (offset + bytes - 1) / kChunkBytes; ++chunk) {
    dirty_[chunk] = true;
  }
}

bool VirtioBlkDevice::flush() {
  std::size_t written_back = 0;
  for (std::size_t chunk = 0; chunk < dirty_.size(); ++chunk) {
    if (!dirty_[chunk]) continue;
    const std::uint64_t start = chunk * kChunkBytes;
    const std::uint64_t length = std::min<std::uint64_t>(kChunkBytes, disk_.size() - start);
    if (::pwrite(image_fd_, disk_.data() + start, length, static_cast<off_t>(start)) != static_cast<ssize_t>(length)) {
      log("flush: writing the image failed: " + std::string(std::strerror(errno)));
      return false;
    }
    dirty_[chunk] = false;
    ++written_back;
  }
  if (image_fd_ >= 0 && ::fdatasync(image_fd_) != 0) return false;
  log("flush: " + std::to_string(written_back) + " changed chunks written back, flushes " + std::to_string(++flushes_));
  return true;
}

BlkRequestStatus VirtioBlkDevice::on_requestq(const BlkRequestHeader& request, std::span<const std::byte> data_in,
                                              std::span<std::byte> data_out, std::uint32_t& written) {
  switch (request.type()) {
    case BlkRequestType::IN: {
      const std::span<std::byte> source = extent(request.sector(), data_out.size());
      if (source.size() != data_out.size()) return status(BlkStatusCode::IOERR);
      std::memcpy(data_out.data(), source.data(), source.size());
      written = static_cast<std::uint32_t>(source.size());
      log("read " + std::to_string(source.size()) + " bytes at sector " + std::to_string(request.sector()));
      return status(BlkStatusCode::OK);
    }
    case BlkRequestType::OUT: {
      if (has_feature(kFeatureVirtioBlkFRo)) return status(BlkStatusCode::IOERR);
      const std::span<std::byte> target = extent(request.sector(), data_in.size());
      if (target.size() != data_in.size()) return status(BlkStatusCode::IOERR);
      std::memcpy(target.data(), data_in.data(), data_in.size());
      mark_dirty(request.sector() * kSectorBytes, data_in.size());
      log("wrote " + std::to_string(data_in.size()) + " bytes at sector " + std::to_string(request.sector()));
      return status(BlkStatusCode::OK);
    }
    case BlkRequestType::FLUSH:
      // §5.2.6.2: FLUSH exists only with VIRTIO_BLK_F_FLUSH.
      if (!has_feature(kFeatureVirtioBlkFFlush)) return status(BlkStatusCode::UNSUPP);
      return status(flush() ? BlkStatusCode::OK : BlkStatusCode::IOERR);
    case BlkRequestType::GET_ID: {
      const std::size_t size = std::min(data_out.size(), kIdBytes);
      std::fill_n(data_out.begin(), size, std::byte{0});
      std::memcpy(data_out.data(), kId.data(), std::min(size, kId.size()));
      written = static_cast<std::uint32_t>(size);
      log("device ID requested");
      return status(BlkStatusCode::OK);
    }
  }
  log("unsupported request type " + std::to_string(static_cast<std::uint32_t>(request.type())));
  return status(BlkStatusCode::UNSUPP);
}

}  // namespace virtio_blk
