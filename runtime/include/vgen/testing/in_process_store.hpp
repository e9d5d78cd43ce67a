// Test support: a XenStore-compatible store in this process, a toolstack client (domain 0)
// and one client per domain, for split halves that find each other through the store.
#pragma once

#include <map>
#include <memory>

#include <vgen/store/local_client.hpp>
#include <vgen/xenbus/device_paths.hpp>

namespace vgen::testing {

/// An in-process store with its clients. Not copyable; the clients live as long as it.
class InProcessStore {
 public:
  InProcessStore();
  InProcessStore(const InProcessStore&) = delete;
  InProcessStore& operator=(const InProcessStore&) = delete;

  /// The store itself.
  store::LocalStore& store() noexcept { return store_; }
  /// The privileged client (domain 0).
  store::Client& toolstack() noexcept { return toolstack_; }
  /// The client acting as `domain`, made at the first call.
  store::Client& client(xenbus::DomainId domain);
  /// The toolstack's part of a split device: both directories (vgen/xenbus/toolstack.hpp).
  void create_device(const xenbus::DeviceAddress& device);
  /// Removes both directories, which ends the backend.
  void destroy_device(const xenbus::DeviceAddress& device);

 private:
  store::LocalStore store_;
  store::LocalClient toolstack_;
  std::map<xenbus::DomainId, std::unique_ptr<store::LocalClient>> clients_;
};

}  // namespace vgen::testing
