// virtio-blk: the device half's request handling (§5.2.6).
#include "virtio_blk_device.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace virtio_blk {
namespace {

/// §5.2.6: the answer to GET_ID is a 20-byte string, NUL-padded.
constexpr std::size_t kIdBytes = 20;
constexpr std::string_view kId = "vgen-virtio-blk";

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

BlkRequestStatus status(BlkStatusCode code) {
  BlkRequestStatus result;
  result.set_status(code);
  return result;
}

}  // namespace

VirtioBlkConfig VirtioBlkDevice::config_defaults() const {
  VirtioBlkConfig config;
  config.set_capacity(disk_.size() / kSectorBytes);
  return config;
}

std::span<std::byte> VirtioBlkDevice::extent(std::uint64_t sector, std::size_t bytes) {
  const std::uint64_t sectors = disk_.size() / kSectorBytes;
  if (sector >= sectors || bytes > (sectors - sector) * kSectorBytes) return {};
  return std::span(disk_).subspan(static_cast<std::size_t>(sector * kSectorBytes), bytes);
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
      log("wrote " + std::to_string(data_in.size()) + " bytes at sector " + std::to_string(request.sector()));
      return status(BlkStatusCode::OK);
    }
    case BlkRequestType::FLUSH:
      // §5.2.6.2: FLUSH exists only with VIRTIO_BLK_F_FLUSH.
      if (!has_feature(kFeatureVirtioBlkFFlush)) return status(BlkStatusCode::UNSUPP);
      log("flush");
      return status(BlkStatusCode::OK);
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
