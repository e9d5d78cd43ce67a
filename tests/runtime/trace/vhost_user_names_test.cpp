// The vhost-user message names the trace layer holds for the viewer and the vhost-user layer.
#include <gtest/gtest.h>

#include <vgen/trace/vhost_user_names.hpp>

namespace {

using vgen::trace::vhost_user_backend_request_name;
using vgen::trace::vhost_user_request_name;

TEST(VhostUserNames, FrontEndRequestsByTheirProtocolIds) {
  EXPECT_EQ(vhost_user_request_name(1), "VHOST_USER_GET_FEATURES");
  EXPECT_EQ(vhost_user_request_name(5), "VHOST_USER_SET_MEM_TABLE");
  EXPECT_EQ(vhost_user_request_name(12), "VHOST_USER_SET_VRING_KICK");
  EXPECT_EQ(vhost_user_request_name(21), "VHOST_USER_SET_BACKEND_REQ_FD");
  EXPECT_EQ(vhost_user_request_name(34), "VHOST_USER_RESET_DEVICE");
  EXPECT_EQ(vhost_user_request_name(37), "VHOST_USER_ADD_MEM_REG");
  EXPECT_EQ(vhost_user_request_name(40), "VHOST_USER_GET_STATUS");
}

TEST(VhostUserNames, BackEndRequestsByTheirProtocolIds) {
  EXPECT_EQ(vhost_user_backend_request_name(1), "VHOST_USER_BACKEND_IOTLB_MSG");
  EXPECT_EQ(vhost_user_backend_request_name(2), "VHOST_USER_BACKEND_CONFIG_CHANGE_MSG");
  EXPECT_EQ(vhost_user_backend_request_name(4), "VHOST_USER_BACKEND_VRING_CALL");
}

TEST(VhostUserNames, UndefinedCodesHaveNoName) {
  EXPECT_EQ(vhost_user_request_name(0), "");
  EXPECT_EQ(vhost_user_request_name(44), "");
  EXPECT_EQ(vhost_user_request_name(0xffffffffu), "");
  EXPECT_EQ(vhost_user_backend_request_name(0), "");
  EXPECT_EQ(vhost_user_backend_request_name(9), "");
}

}  // namespace
