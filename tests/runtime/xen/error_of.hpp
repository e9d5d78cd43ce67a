// error_of(): runs an action that must throw xen::Error with a given code; returns the message.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include <vgen/xen/error.hpp>

namespace vgen::xen::test {

template <class Action>
std::string error_of(Action&& action, ErrorCode code) {
  try {
    action();
  } catch (const Error& error) {
    EXPECT_EQ(std::string(to_string(error.code())), std::string(to_string(code))) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "no xen::Error thrown, expected " << to_string(code);
  return {};
}

/// True if `text` contains `part` (for EXPECT_PRED2 messages that show both).
inline bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace vgen::xen::test
