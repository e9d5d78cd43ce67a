// Internal to runtime/notify: turning a failed system call into notify::Error.
#pragma once

#include <string>
#include <system_error>

#include <vgen/notify/notifier.hpp>

namespace vgen::notify::detail {

/// Throws notify::Error whose message is `what` followed by the text of `error`
/// (an errno value captured right after the failing call).
[[noreturn]] inline void throw_system(const std::string& what, int error) {
  throw Error(what + ": " + std::error_code(error, std::system_category()).message());
}

}  // namespace vgen::notify::detail
