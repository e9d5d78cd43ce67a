#include "vgen/testing/in_process_store.hpp"

#include <vgen/xenbus/toolstack.hpp>

namespace vgen::testing {

InProcessStore::InProcessStore() : toolstack_(store_, 0) {}

store::Client& InProcessStore::client(xenbus::DomainId domain) {
  auto found = clients_.find(domain);
  if (found == clients_.end()) {
    found = clients_.emplace(domain, std::make_unique<store::LocalClient>(store_, domain)).first;
  }
  return *found->second;
}

void InProcessStore::create_device(const xenbus::DeviceAddress& device) { xenbus::create_device(toolstack_, device); }

void InProcessStore::destroy_device(const xenbus::DeviceAddress& device) { xenbus::destroy_device(toolstack_, device); }

}  // namespace vgen::testing
