#include <vgen/vhost_user/protocol.hpp>

#include <vgen/trace/vhost_user_names.hpp>

namespace vgen::vhost_user {

// The table is the trace layer's, which the trace viewer shares.
std::string request_name(std::uint32_t request) {
  const std::string_view name = trace::vhost_user_request_name(request);
  return name.empty() ? "request " + std::to_string(request) : std::string(name);
}

std::string backend_request_name(std::uint32_t request) {
  const std::string_view name = trace::vhost_user_backend_request_name(request);
  return name.empty() ? "request " + std::to_string(request) : std::string(name);
}

}  // namespace vgen::vhost_user
