// Splitting request payloads into their arguments. XenStore arguments are NUL-terminated
// strings ("path\0token\0"); WRITE is the exception: "path\0" followed by raw value bytes.
// A payload that does not have exactly the expected shape is EINVAL, naming the request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace vgen::store {

/// Exactly `count` NUL-terminated strings filling the whole payload.
/// Throws store::Error(Invalid) naming `what` (the request) otherwise.
std::vector<std::string_view> split_strings(std::string_view payload, std::size_t count, std::string_view what);

/// All NUL-terminated strings of a payload that must end with a NUL; at least `minimum`.
std::vector<std::string_view> split_all_strings(std::string_view payload, std::size_t minimum, std::string_view what);

/// WRITE's "path\0value": the path (without its NUL) and the value (everything after it).
std::pair<std::string_view, std::string_view> split_path_value(std::string_view payload, std::string_view what);

/// A decimal number of up to 64 bits (digits only). Throws store::Error(Invalid) naming `what`.
std::uint64_t parse_decimal(std::string_view text, std::string_view what);

}  // namespace vgen::store
