// Reading Xenbus nodes with the checks the protocol needs: every value the other end or
// the toolstack wrote is parsed strictly, and a missing or malformed node is a
// xenbus::Error naming the node's path and the value found.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <vgen/store/client.hpp>
#include <vgen/xenbus/error.hpp>
#include <vgen/xenbus/state.hpp>

namespace vgen::xenbus {

/// Nodes to write in one go: (name relative to a device directory, value).
using Nodes = std::vector<std::pair<std::string, std::string>>;

/// The value of `path`; throws Error(MissingNode) naming it if absent.
std::string read_required(store::Client& client, const std::string& path, store::TransactionId tx = 0);
/// A decimal number of at most `maximum`; throws MissingNode, or BadValue naming the node,
/// the value and the allowed range.
std::uint64_t read_number(store::Client& client, const std::string& path, std::uint64_t maximum,
                          store::TransactionId tx = 0);
/// Parses `value` of node `path` as read_number() does.
std::uint64_t parse_number(std::string_view value, std::string_view path, std::uint64_t maximum);
/// The State in `path`, or nullopt if the node is absent; BadValue for anything but 0..8.
std::optional<State> read_state(store::Client& client, const std::string& path, store::TransactionId tx = 0);

}  // namespace vgen::xenbus
