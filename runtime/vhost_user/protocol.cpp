#include <vgen/vhost_user/protocol.hpp>

namespace vgen::vhost_user {

std::string request_name(std::uint32_t request) {
  switch (static_cast<Request>(request)) {
    case Request::GetFeatures:
      return "VHOST_USER_GET_FEATURES";
    case Request::SetFeatures:
      return "VHOST_USER_SET_FEATURES";
    case Request::SetOwner:
      return "VHOST_USER_SET_OWNER";
    case Request::ResetOwner:
      return "VHOST_USER_RESET_OWNER";
    case Request::SetMemTable:
      return "VHOST_USER_SET_MEM_TABLE";
    case Request::SetLogBase:
      return "VHOST_USER_SET_LOG_BASE";
    case Request::SetLogFd:
      return "VHOST_USER_SET_LOG_FD";
    case Request::SetVringNum:
      return "VHOST_USER_SET_VRING_NUM";
    case Request::SetVringAddr:
      return "VHOST_USER_SET_VRING_ADDR";
    case Request::SetVringBase:
      return "VHOST_USER_SET_VRING_BASE";
    case Request::GetVringBase:
      return "VHOST_USER_GET_VRING_BASE";
    case Request::SetVringKick:
      return "VHOST_USER_SET_VRING_KICK";
    case Request::SetVringCall:
      return "VHOST_USER_SET_VRING_CALL";
    case Request::SetVringErr:
      return "VHOST_USER_SET_VRING_ERR";
    case Request::GetProtocolFeatures:
      return "VHOST_USER_GET_PROTOCOL_FEATURES";
    case Request::SetProtocolFeatures:
      return "VHOST_USER_SET_PROTOCOL_FEATURES";
    case Request::GetQueueNum:
      return "VHOST_USER_GET_QUEUE_NUM";
    case Request::SetVringEnable:
      return "VHOST_USER_SET_VRING_ENABLE";
    case Request::SendRarp:
      return "VHOST_USER_SEND_RARP";
    case Request::NetSetMtu:
      return "VHOST_USER_NET_SET_MTU";
    case Request::SetBackendReqFd:
      return "VHOST_USER_SET_BACKEND_REQ_FD";
    case Request::IotlbMsg:
      return "VHOST_USER_IOTLB_MSG";
    case Request::SetVringEndian:
      return "VHOST_USER_SET_VRING_ENDIAN";
    case Request::GetConfig:
      return "VHOST_USER_GET_CONFIG";
    case Request::SetConfig:
      return "VHOST_USER_SET_CONFIG";
    case Request::GetInflightFd:
      return "VHOST_USER_GET_INFLIGHT_FD";
    case Request::SetInflightFd:
      return "VHOST_USER_SET_INFLIGHT_FD";
    case Request::ResetDevice:
      return "VHOST_USER_RESET_DEVICE";
    case Request::VringKick:
      return "VHOST_USER_VRING_KICK";
    case Request::GetMaxMemSlots:
      return "VHOST_USER_GET_MAX_MEM_SLOTS";
    case Request::AddMemReg:
      return "VHOST_USER_ADD_MEM_REG";
    case Request::RemMemReg:
      return "VHOST_USER_REM_MEM_REG";
    case Request::SetStatus:
      return "VHOST_USER_SET_STATUS";
    case Request::GetStatus:
      return "VHOST_USER_GET_STATUS";
  }
  return "request " + std::to_string(request);
}

}  // namespace vgen::vhost_user
