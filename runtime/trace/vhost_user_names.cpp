#include "vgen/trace/vhost_user_names.hpp"

#include <array>

namespace vgen::trace {
namespace {

// Front-end message types, indexed by their id; "" where the protocol defines none.
constexpr std::array<std::string_view, 44> kRequests = {
    "",
    "VHOST_USER_GET_FEATURES",
    "VHOST_USER_SET_FEATURES",
    "VHOST_USER_SET_OWNER",
    "VHOST_USER_RESET_OWNER",
    "VHOST_USER_SET_MEM_TABLE",
    "VHOST_USER_SET_LOG_BASE",
    "VHOST_USER_SET_LOG_FD",
    "VHOST_USER_SET_VRING_NUM",
    "VHOST_USER_SET_VRING_ADDR",
    "VHOST_USER_SET_VRING_BASE",
    "VHOST_USER_GET_VRING_BASE",
    "VHOST_USER_SET_VRING_KICK",
    "VHOST_USER_SET_VRING_CALL",
    "VHOST_USER_SET_VRING_ERR",
    "VHOST_USER_GET_PROTOCOL_FEATURES",
    "VHOST_USER_SET_PROTOCOL_FEATURES",
    "VHOST_USER_GET_QUEUE_NUM",
    "VHOST_USER_SET_VRING_ENABLE",
    "VHOST_USER_SEND_RARP",
    "VHOST_USER_NET_SET_MTU",
    "VHOST_USER_SET_BACKEND_REQ_FD",
    "VHOST_USER_IOTLB_MSG",
    "VHOST_USER_SET_VRING_ENDIAN",
    "VHOST_USER_GET_CONFIG",
    "VHOST_USER_SET_CONFIG",
    "VHOST_USER_CREATE_CRYPTO_SESSION",
    "VHOST_USER_CLOSE_CRYPTO_SESSION",
    "VHOST_USER_POSTCOPY_ADVISE",
    "VHOST_USER_POSTCOPY_LISTEN",
    "VHOST_USER_POSTCOPY_END",
    "VHOST_USER_GET_INFLIGHT_FD",
    "VHOST_USER_SET_INFLIGHT_FD",
    "VHOST_USER_GPU_SET_SOCKET",
    "VHOST_USER_RESET_DEVICE",
    "VHOST_USER_VRING_KICK",
    "VHOST_USER_GET_MAX_MEM_SLOTS",
    "VHOST_USER_ADD_MEM_REG",
    "VHOST_USER_REM_MEM_REG",
    "VHOST_USER_SET_STATUS",
    "VHOST_USER_GET_STATUS",
    "VHOST_USER_GET_SHARED_OBJECT",
    "VHOST_USER_SET_DEVICE_STATE_FD",
    "VHOST_USER_CHECK_DEVICE_STATE",
};

// Back-end message types, indexed by their id.
constexpr std::array<std::string_view, 9> kBackendRequests = {
    "",
    "VHOST_USER_BACKEND_IOTLB_MSG",
    "VHOST_USER_BACKEND_CONFIG_CHANGE_MSG",
    "VHOST_USER_BACKEND_VRING_HOST_NOTIFIER_MSG",
    "VHOST_USER_BACKEND_VRING_CALL",
    "VHOST_USER_BACKEND_VRING_ERR",
    "VHOST_USER_BACKEND_SHARED_OBJECT_ADD",
    "VHOST_USER_BACKEND_SHARED_OBJECT_REMOVE",
    "VHOST_USER_BACKEND_SHARED_OBJECT_LOOKUP",
};

}  // namespace

std::string_view vhost_user_request_name(std::uint32_t code) noexcept {
  return code < kRequests.size() ? kRequests[code] : std::string_view();
}

std::string_view vhost_user_backend_request_name(std::uint32_t code) noexcept {
  return code < kBackendRequests.size() ? kBackendRequests[code] : std::string_view();
}

}  // namespace vgen::trace
