#include "vgen/testing/split_harness.hpp"

namespace vgen::testing {
namespace {

// Grant references the frontend domain can hand out.
constexpr std::uint32_t kGrantEntries = 64;

}  // namespace

SplitLink::SplitLink(const std::string& device_type, std::uint32_t granted_pages)
    : device_{device_type, kFrontendDomain, kBackendDomain, 0},
      table_(xen::GrantTable::create(kFrontendDomain, granted_pages, kGrantEntries)),
      mapper_(xen::GrantMapper::attach(table_, kBackendDomain)),
      frontend_events_(kFrontendDomain),
      backend_events_(kBackendDomain) {
  store_.create_device(device_);
  xen::EventChannels::link(frontend_events_, backend_events_);
}

}  // namespace vgen::testing
