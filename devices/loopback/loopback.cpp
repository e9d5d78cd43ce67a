#include "loopback.hpp"

namespace vgen::loopback {

const virtio::FeatureRules& feature_rules() {
  static const virtio::FeatureRules kRules{{kFeatureStatsReset, kFeatureStats}};
  return kRules;
}

}  // namespace vgen::loopback
