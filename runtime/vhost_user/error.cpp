#include <vgen/vhost_user/error.hpp>

#include <cstring>

namespace vgen::vhost_user {

void fail_system(const std::string& what, int error) {
  throw Error(ErrorCode::System, what + ": " + std::strerror(error));
}

}  // namespace vgen::vhost_user
