// Internal to runtime/shm: turning a failed system call into shm::Error(System).
#pragma once

#include <cerrno>
#include <string>
#include <system_error>

#include <vgen/shm/error.hpp>

namespace vgen::shm::detail {

/// Throws shm::Error(System) whose message is `what` followed by the text of `error`
/// (an errno value captured right after the failing call).
[[noreturn]] inline void throw_system(const std::string& what, int error) {
  throw Error(ErrorCode::System, what + ": " + std::error_code(error, std::system_category()).message());
}

}  // namespace vgen::shm::detail
