// Serving a device half over vhost-user.
#include "vhost_user_serving.hpp"

#include <cstdio>

#include <vgen/conform/trace.hpp>
#include <vgen/vhost_user/backend.hpp>

namespace vgen::conform::virtio_checks {

int serve_vhost_user(const VirtioTarget& target, const std::string& socket_path) {
  if (!target.make_device) {
    std::fprintf(stderr, "conform: %s has no device half\n", target.name.c_str());
    return 1;
  }
  const auto model = target.make_device();
  vgen::vhost_user::Options options;
  options.log = [](const std::string&) {};  // protocol errors are what hostile checks provoke
  options.sink = check_trace();             // --trace: a child of the harness records into its log
  vgen::vhost_user::serve(*model, socket_path, options);
  return 0;
}

}  // namespace vgen::conform::virtio_checks
