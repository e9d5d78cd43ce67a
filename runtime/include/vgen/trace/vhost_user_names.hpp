// The names of vhost-user message types, by their protocol ids (QEMU
// docs/interop/vhost-user.rst, "Front-end message types" and "Back-end message types"). They
// live in the trace layer, the lowest, so that the vhost-user layer (which speaks the protocol)
// and the trace viewer (which links only this layer and prints recorded messages) share one
// table.
#pragma once

#include <cstdint>
#include <string_view>

namespace vgen::trace {

/// "VHOST_USER_GET_FEATURES" for front-end request 1 and so on; "" for a code the protocol
/// does not define.
std::string_view vhost_user_request_name(std::uint32_t code) noexcept;

/// "VHOST_USER_BACKEND_CONFIG_CHANGE_MSG" for back-end request 2 (sent on the channel of
/// SET_BACKEND_REQ_FD) and so on; "" for a code the protocol does not define.
std::string_view vhost_user_backend_request_name(std::uint32_t code) noexcept;

}  // namespace vgen::trace
