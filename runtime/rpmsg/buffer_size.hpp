// Internal to runtime/rpmsg: the one check of an agreed buffer size.
#pragma once

#include <cstdint>
#include <string>

#include <vgen/rpmsg/error.hpp>
#include <vgen/rpmsg/wire.hpp>

namespace vgen::rpmsg::detail {

/// Throws rpmsg::Error(InvalidConfig) unless `size` is within 32..65536 bytes.
inline void check_buffer_size(std::uint32_t size, const char* who) {
  if (size < kMinBufferSize || size > kMaxBufferSize) {
    throw Error(ErrorCode::InvalidConfig, std::string(who) + ": buffer size " + std::to_string(size) + " is outside " +
                                              std::to_string(kMinBufferSize) + ".." + std::to_string(kMaxBufferSize) +
                                              " bytes");
  }
}

}  // namespace vgen::rpmsg::detail
