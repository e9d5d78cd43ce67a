// Store nodes as the split halves exchange them: a typed value read from the other end's
// directory with the checks Xenbus needs (a missing node or a number out of range is a
// xenbus::Error naming the node), and a typed value turned into a node to publish. A struct
// of nodes (a generated FrontendNodes or BackendNodes) has `members()`, a tuple of references
// to its members, and `kNames`, each member's node name in the same order; read_nodes() and
// published_nodes() are written once over them.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include <vgen/store/client.hpp>
#include <vgen/xenbus/device_paths.hpp>
#include <vgen/xenbus/nodes.hpp>

namespace vgen::halves {

/// Reads node `node` of `directory` as an unsigned decimal that fits `T` (Xen's drivers read
/// store numbers the same way). Throws xenbus::Error(MissingNode or BadValue).
template <std::unsigned_integral T>
void read_node(store::Client& client, std::string_view directory, std::string_view node, T& value) {
  value =
      static_cast<T>(xenbus::read_number(client, xenbus::node_path(directory, node), std::numeric_limits<T>::max()));
}

/// Reads node `node` of `directory` as text. Throws xenbus::Error(MissingNode).
inline void read_node(store::Client& client, std::string_view directory, std::string_view node, std::string& value) {
  value = xenbus::read_required(client, xenbus::node_path(directory, node));
}

/// The node `node` holding `value` in decimal.
template <std::unsigned_integral T>
std::pair<std::string, std::string> node(std::string_view node, T value) {
  return {std::string(node), std::to_string(value)};
}

/// The node `node` holding `value` as it is.
inline std::pair<std::string, std::string> node(std::string_view node, const std::string& value) {
  return {std::string(node), value};
}

/// Calls visit(name, member) for every node of `nodes` (see the file comment).
template <class Nodes, class Visit>
void for_each_node(Nodes& nodes, Visit&& visit) {
  std::apply(
      [&](auto&... members) {
        [[maybe_unused]] std::size_t index = 0;
        (visit(Nodes::kNames[index++], members), ...);
      },
      nodes.members());
}

/// Every node of `Nodes` read from `directory`. Throws xenbus::Error naming the first node
/// that is missing or out of range.
template <class Nodes>
Nodes read_nodes(store::Client& client, std::string_view directory) {
  Nodes nodes{};
  for_each_node(nodes, [&](std::string_view name, auto& value) { read_node(client, directory, name, value); });
  return nodes;
}

/// The nodes of `nodes`, to publish with xenbus::Driver::switch_state().
template <class Nodes>
xenbus::Nodes published_nodes(Nodes nodes) {
  xenbus::Nodes published;
  for_each_node(nodes, [&](std::string_view name, const auto& value) { published.push_back(node(name, value)); });
  return published;
}

}  // namespace vgen::halves
