// A parsed YAML document in a compact form: every node with its position, scalars as text
// slices, aliases kept as references to their anchor (never copied). Built from yaml-cpp's
// event parser rather than its node tree, so that memory stays proportional to the file,
// nesting and alias expansion are bounded before they can exhaust the stack or memory, and a
// node reached through an alias knows where that alias was written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgen/gen/diagnostics/location.hpp"

namespace vgen::gen::detail {

/// Deepest nesting of YAML collections accepted (specs use fewer than ten levels).
inline constexpr std::size_t kMaxYamlDepth = 64;
/// Most nodes aliases may add to a document by repeating anchored content.
inline constexpr std::uint64_t kMaxAliasExpansion = 1'000'000;
/// Largest file read, in bytes.
inline constexpr std::size_t kMaxYamlBytes = std::size_t{256} << 20;

class YamlDocument;

/// A node of a YamlDocument as reached from the root. Content reached through an alias
/// carries that alias (the outermost one when aliases nest), so that errors inside it can
/// point at the alias rather than at the anchored text.
class YamlNode {
 public:
  enum class Kind : std::uint8_t { null, scalar, sequence, map, alias };

  /// One key and its value.
  struct Entry;

  /// A null node of no document (an absent value).
  YamlNode() = default;

  bool is_null() const { return kind() == Kind::null; }
  bool is_scalar() const { return kind() == Kind::scalar; }
  bool is_sequence() const { return kind() == Kind::sequence; }
  bool is_map() const { return kind() == Kind::map; }
  Kind kind() const;

  /// The text of a scalar ("" for other nodes).
  std::string_view scalar() const;
  /// True for a quoted, block or `!!str` scalar: a string, never a number or a name.
  bool quoted() const;
  /// Number of elements of a sequence or entries of a map; 0 otherwise.
  std::size_t size() const;
  /// The elements of a sequence (empty otherwise).
  std::vector<YamlNode> elements() const;
  /// The entries of a map in file order, repeated keys included (empty otherwise).
  std::vector<Entry> entries() const;

  /// Where the node is written (for content reached through an alias: inside the anchor).
  Position position() const;
  /// The alias this node was reached through, if any.
  std::optional<YamlNode> via_alias() const;
  /// For an alias node: the anchor's name ("common").
  std::string_view anchor_name() const;
  /// For an alias node: where the anchored node is written.
  Position anchor_position() const;

 private:
  friend class YamlDocument;
  friend class YamlBuilder;
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;
  YamlNode(const YamlDocument* document, std::uint32_t index, std::uint32_t via);
  /// The node `index` reached from this one: resolves an alias, keeping the outermost one.
  YamlNode child(std::uint32_t index) const;

  const YamlDocument* document_ = nullptr;
  std::uint32_t index_ = kNone;
  std::uint32_t via_ = kNone;
};

struct YamlNode::Entry {
  YamlNode key;
  YamlNode value;
};

/// Why a text is not one usable YAML document.
struct YamlProblem {
  Position position;    ///< where, 0:0 when nowhere in particular
  std::string message;  ///< "tab character in indentation ...", "invalid YAML: ..."
};

/// The outcome of parsing: the first document, how many there were, or the problem.
struct YamlParse;

/// The storage of one parsed document. Nodes refer to it: it must outlive them.
class YamlDocument {
 public:
  /// Parses `text`, which should hold one YAML document.
  static YamlParse parse(std::string_view text);

  /// The root node.
  YamlNode root() const { return YamlNode(this, root_, YamlNode::kNone); }

 private:
  friend class YamlNode;
  friend class YamlBuilder;

  struct NodeData {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::uint32_t first = 0;  // scalar: offset in text_; collection: index in children_; alias: target node
    std::uint32_t count = 0;  // scalar: length; collection: children (two per map entry); alias: anchor index
    YamlNode::Kind kind = YamlNode::Kind::null;
    bool quoted = false;
  };

  struct Anchor {
    std::string name;
    std::uint32_t node = 0;
  };

  std::vector<NodeData> nodes_;
  std::vector<std::uint32_t> children_;
  std::vector<Anchor> anchors_;
  std::string text_;
  std::uint32_t root_ = 0;
};

struct YamlParse {
  std::optional<YamlDocument> document;  ///< the first document, absent when `problem` is set
  std::optional<YamlProblem> problem;    ///< why the text cannot be used
  std::size_t documents = 0;             ///< documents in the text
  Position second_document;              ///< where the second document starts, if any
};

}  // namespace vgen::gen::detail
