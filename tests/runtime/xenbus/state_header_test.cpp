// The state enum against the real interface header, and state names and parsing.
#include <gtest/gtest.h>

extern "C" {
#include <xen/io/xenbus.h>
}

#include <vgen/xenbus/error.hpp>
#include <vgen/xenbus/state.hpp>

namespace vgen::xenbus {
namespace {

static_assert(static_cast<int>(State::Unknown) == XenbusStateUnknown);
static_assert(static_cast<int>(State::Initialising) == XenbusStateInitialising);
static_assert(static_cast<int>(State::InitWait) == XenbusStateInitWait);
static_assert(static_cast<int>(State::Initialised) == XenbusStateInitialised);
static_assert(static_cast<int>(State::Connected) == XenbusStateConnected);
static_assert(static_cast<int>(State::Closing) == XenbusStateClosing);
static_assert(static_cast<int>(State::Closed) == XenbusStateClosed);
static_assert(static_cast<int>(State::Reconfiguring) == XenbusStateReconfiguring);
static_assert(static_cast<int>(State::Reconfigured) == XenbusStateReconfigured);
static_assert(kMaxState == XenbusStateReconfigured);

TEST(XenbusState, NamesAndParsing) {
  const char* names[] = {"Unknown", "Initialising", "InitWait",      "Initialised", "Connected",
                         "Closing", "Closed",       "Reconfiguring", "Reconfigured"};
  for (unsigned n = 0; n <= kMaxState; ++n) {
    EXPECT_STREQ(to_string(static_cast<State>(n)), names[n]);
    EXPECT_EQ(parse_state(std::to_string(n), "/x/state"), static_cast<State>(n));
  }
}

TEST(XenbusState, BadValuesNameNodeAndValue) {
  for (const char* bad : {"9", "abc", "", "04", "-1", "4 ", "99999999999999999999999"}) {
    try {
      parse_state(bad, "/local/domain/1/device/vbd/0/state");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::BadValue);
      const std::string text = error.what();
      EXPECT_NE(text.find("/local/domain/1/device/vbd/0/state"), std::string::npos) << text;
      EXPECT_NE(text.find("'" + std::string(bad) + "'"), std::string::npos) << text;
      EXPECT_NE(text.find("0..8"), std::string::npos) << text;
    }
  }
}

TEST(XenbusState, TransitionRules) {
  using enum State;
  // The handshake, teardown and recovery paths each side takes.
  EXPECT_TRUE(transition_allowed(Side::Frontend, Initialising, Initialised));
  EXPECT_TRUE(transition_allowed(Side::Frontend, Initialised, Connected));
  EXPECT_TRUE(transition_allowed(Side::Frontend, Connected, Reconfiguring));
  EXPECT_TRUE(transition_allowed(Side::Frontend, Reconfiguring, Connected));
  EXPECT_TRUE(transition_allowed(Side::Frontend, Connected, Closing));
  EXPECT_TRUE(transition_allowed(Side::Frontend, Closing, Closed));
  EXPECT_TRUE(transition_allowed(Side::Frontend, Closed, Initialising));
  EXPECT_TRUE(transition_allowed(Side::Frontend, Connected, Initialising));
  EXPECT_TRUE(transition_allowed(Side::Backend, Initialising, InitWait));
  EXPECT_TRUE(transition_allowed(Side::Backend, InitWait, Connected));
  EXPECT_TRUE(transition_allowed(Side::Backend, Connected, Reconfigured));
  EXPECT_TRUE(transition_allowed(Side::Backend, Closed, InitWait));
  EXPECT_TRUE(transition_allowed(Side::Backend, Connected, Closing));
  // What the protocol forbids.
  EXPECT_FALSE(transition_allowed(Side::Frontend, Initialising, InitWait));  // a backend state
  EXPECT_FALSE(transition_allowed(Side::Frontend, Initialising, Reconfiguring));
  EXPECT_FALSE(transition_allowed(Side::Frontend, Initialising, Connected));  // skips publishing
  EXPECT_FALSE(transition_allowed(Side::Frontend, Connected, Closed));        // skips Closing
  EXPECT_FALSE(transition_allowed(Side::Frontend, Closed, Closing));
  EXPECT_FALSE(transition_allowed(Side::Backend, InitWait, Initialised));  // a frontend state
  EXPECT_FALSE(transition_allowed(Side::Backend, Closed, Connected));
  EXPECT_FALSE(transition_allowed(Side::Backend, Connected, Closed));
  EXPECT_FALSE(transition_allowed(Side::Backend, Closing, Connected));
  EXPECT_FALSE(transition_allowed(Side::Backend, Connected, Initialising));
  EXPECT_FALSE(transition_allowed(Side::Frontend, Connected, Unknown));
  EXPECT_TRUE(transition_allowed(Side::Backend, Closed, Closed));  // no change
}

}  // namespace
}  // namespace vgen::xenbus
