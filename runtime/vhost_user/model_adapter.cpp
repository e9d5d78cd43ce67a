#include <vgen/vhost_user/model_adapter.hpp>

#include <vgen/virtqueue/features.hpp>
#include <vgen/virtqueue/layout.hpp>

namespace vgen::vhost_user {

std::uint64_t transport_ring_features() noexcept {
  return virtqueue::feature_bit(virtqueue::kFeatureIndirectDesc) | virtqueue::feature_bit(virtqueue::kFeatureEventIdx);
}

std::uint64_t ModelAdapter::offered_features() const { return model_.offered_features() | transport_ring_features(); }

std::vector<std::uint32_t> ModelAdapter::queue_max_sizes() const {
  std::vector<std::uint32_t> sizes = model_.queue_max_sizes();
  for (std::uint32_t& size : sizes) {
    if (size != 0) size = virtqueue::kMaxQueueSize;
  }
  return sizes;
}

}  // namespace vgen::vhost_user
