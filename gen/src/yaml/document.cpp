#include "yaml/document.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <istream>
#include <streambuf>

#include "vgen/gen/diagnostics/quoting.hpp"
#include "yaml/indentation.hpp"

namespace vgen::gen::detail {
namespace {

// An input stream over text that is already in memory (no copy).
class TextBuffer : public std::streambuf {
 public:
  explicit TextBuffer(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // read only: the get area is never written
    setg(begin, begin, begin + text.size());
  }
};

// Thrown by the builder to stop the parser at a node it refuses.
struct Refusal {
  YamlProblem problem;
};

// Thrown by the builder when the parser makes no progress.
struct Stuck {
  Position position;
};

Position position_of(const YAML::Mark& mark) {
  if (mark.is_null()) return Position{};
  return Position{mark.line + 1, mark.column + 1};
}

std::uint64_t saturating_add(std::uint64_t left, std::uint64_t right) {
  return left > UINT64_MAX - right ? UINT64_MAX : left + right;
}

}  // namespace

// Builds a YamlDocument from parser events: the first document in full, later ones only
// counted (their nesting still bounded).
class YamlBuilder : public YAML::EventHandler {
 public:
  explicit YamlBuilder(YamlDocument& document) : document_(document) {}

  std::size_t documents() const { return documents_; }
  Position second_document() const { return second_document_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp can start document after document at one place without reading on (a ','
    // where a block is expected): stop there instead of counting forever.
    const Position start = position_of(mark);
    if (documents_ > 0 && start.line == last_start_.line && start.column == last_start_.column) {
      throw Stuck{start};
    }
    last_start_ = start;
    ++documents_;
  }
  void OnDocumentEnd() override {}
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_anchor_ = name; }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    finish(open(mark, YamlNode::Kind::null, anchor));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    const std::uint32_t index = open(mark, YamlNode::Kind::scalar, anchor);
    if (building()) {
      YamlDocument::NodeData& node = document_.nodes_[index];
      node.first = static_cast<std::uint32_t>(document_.text_.size());
      node.count = static_cast<std::uint32_t>(value.size());
      node.quoted = tag == "!" || tag == "tag:yaml.org,2002:str";  // quoted, block or !!str
      document_.text_ += value;
    }
    finish(index);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const std::uint32_t index = open(mark, YamlNode::Kind::alias, 0);
    if (building()) refer(index, mark, anchor);
    finish(index);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    enter(mark, YamlNode::Kind::sequence, anchor);
  }
  void OnSequenceEnd() override { leave(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    enter(mark, YamlNode::Kind::map, anchor);
  }
  void OnMapEnd() override { leave(); }

 private:
  struct Frame {
    std::uint32_t node;
    std::vector<std::uint32_t> children;
  };

  // Only the first document is stored.
  bool building() const { return documents_ == 1; }

  // Creates a node (or, past the first document, only notes where the second one starts).
  std::uint32_t open(const YAML::Mark& mark, YamlNode::Kind kind, YAML::anchor_t anchor) {
    if (!building()) {
      if (documents_ == 2 && second_document_.line == 0) second_document_ = position_of(mark);
      return YamlNode::kNone;
    }
    const Position position = position_of(mark);
    const auto index = static_cast<std::uint32_t>(document_.nodes_.size());
    YamlDocument::NodeData node;
    node.line = static_cast<std::uint32_t>(position.line);
    node.column = static_cast<std::uint32_t>(position.column);
    node.kind = kind;
    document_.nodes_.push_back(node);
    expanded_.push_back(1);
    if (anchor != 0) name_anchor(anchor, index);
    return index;
  }

  void name_anchor(YAML::anchor_t anchor, std::uint32_t index) {
    if (document_.anchors_.size() < anchor) document_.anchors_.resize(anchor);
    document_.anchors_[anchor - 1] = YamlDocument::Anchor{pending_anchor_, index};
    pending_anchor_.clear();
  }

  // Points alias node `index` at its anchor's node, refusing cycles and alias bombs.
  void refer(std::uint32_t index, const YAML::Mark& mark, YAML::anchor_t anchor) {
    const YamlDocument::Anchor& target = document_.anchors_.at(anchor - 1);
    const bool open_target =
        std::any_of(frames_.begin(), frames_.end(), [&](const Frame& frame) { return frame.node == target.node; });
    if (open_target) {
      throw Refusal{{position_of(mark), "alias '*" + target.name + "' is inside its own anchor '&" + target.name +
                                            "': the content would contain itself"}};
    }
    document_.nodes_[index].first = target.node;
    document_.nodes_[index].count = static_cast<std::uint32_t>(anchor - 1);
    expanded_[index] = expanded_[target.node];
    alias_added_ = saturating_add(alias_added_, expanded_[target.node]);
    if (alias_added_ > kMaxAliasExpansion) {
      throw Refusal{{position_of(mark), "aliases repeat more than " + std::to_string(kMaxAliasExpansion) +
                                            " nodes of anchored content; vgen reads no more than that"}};
    }
  }

  void enter(const YAML::Mark& mark, YamlNode::Kind kind, YAML::anchor_t anchor) {
    if (depth_ == kMaxYamlDepth) {
      throw Refusal{{position_of(mark), "YAML nesting is deeper than " + std::to_string(kMaxYamlDepth) + " levels"}};
    }
    ++depth_;
    const std::uint32_t index = open(mark, kind, anchor);
    if (building()) frames_.push_back(Frame{index, {}});
  }

  void leave() {
    --depth_;
    if (!building()) return;
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    YamlDocument::NodeData& node = document_.nodes_[frame.node];
    node.first = static_cast<std::uint32_t>(document_.children_.size());
    node.count = static_cast<std::uint32_t>(frame.children.size());
    document_.children_.insert(document_.children_.end(), frame.children.begin(), frame.children.end());
    for (std::uint32_t child : frame.children) {
      expanded_[frame.node] = saturating_add(expanded_[frame.node], expanded_[child]);
    }
    finish(frame.node);
  }

  // A complete node becomes a child of the open collection, or the root.
  void finish(std::uint32_t index) {
    if (!building()) return;
    if (frames_.empty()) {
      document_.root_ = index;
    } else {
      frames_.back().children.push_back(index);
    }
  }

  YamlDocument& document_;
  std::vector<Frame> frames_;
  std::vector<std::uint64_t> expanded_;  // nodes in each subtree, aliases expanded
  std::uint64_t alias_added_ = 0;
  std::size_t depth_ = 0;
  std::size_t documents_ = 0;
  Position last_start_;
  Position second_document_;
  std::string pending_anchor_;
};

namespace {

// The character at `position` of `text` ("" past the end).
std::string_view character_at_position(std::string_view text, const Position& position) {
  std::size_t offset = 0;
  for (int line = 1; line < position.line && offset != std::string_view::npos; ++line) {
    offset = text.find('\n', offset);
    if (offset != std::string_view::npos) ++offset;
  }
  if (offset == std::string_view::npos) return {};
  return character_at(text, offset + static_cast<std::size_t>(position.column - 1));
}

YamlProblem syntax_problem(std::string_view text, const YAML::Exception& error) {
  const Position at = position_of(error.mark);
  if (std::optional<Position> tab = indentation_tab(text, at.line)) {
    return YamlProblem{*tab, "tab character in indentation: YAML indents with spaces only"};
  }
  return YamlProblem{at, "invalid YAML: " + error.msg};
}

}  // namespace

YamlParse YamlDocument::parse(std::string_view text) {
  YamlParse result;
  if (text.size() > kMaxYamlBytes) {
    result.problem =
        YamlProblem{Position{}, "the file is " + std::to_string(text.size()) + " bytes; vgen reads files of at most " +
                                    std::to_string(kMaxYamlBytes >> 20) + " MiB"};
    return result;
  }
  YamlDocument document;
  YamlBuilder builder(document);
  TextBuffer buffer(text);
  std::istream stream(&buffer);
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const Refusal& refusal) {
    result.problem = refusal.problem;
  } catch (const Stuck& stuck) {
    result.problem = YamlProblem{
        stuck.position, "invalid YAML: unexpected '" + std::string(character_at_position(text, stuck.position)) + "'"};
  } catch (const YAML::DeepRecursion& error) {
    result.problem = YamlProblem{position_of(error.mark),
                                 "YAML nesting is deeper than " + std::to_string(kMaxYamlDepth) + " levels"};
  } catch (const YAML::Exception& error) {
    result.problem = syntax_problem(text, error);
  }
  result.documents = builder.documents();
  result.second_document = builder.second_document();
  if (!result.problem && result.documents > 0) result.document = std::move(document);
  return result;
}

YamlNode::YamlNode(const YamlDocument* document, std::uint32_t index, std::uint32_t via)
    : document_(document), index_(index), via_(via) {}

YamlNode::Kind YamlNode::kind() const {
  if (document_ == nullptr) return Kind::null;
  return document_->nodes_[index_].kind;
}

std::string_view YamlNode::scalar() const {
  if (!is_scalar()) return {};
  const YamlDocument::NodeData& node = document_->nodes_[index_];
  return std::string_view(document_->text_).substr(node.first, node.count);
}

bool YamlNode::quoted() const { return is_scalar() && document_->nodes_[index_].quoted; }

std::size_t YamlNode::size() const {
  if (is_sequence()) return document_->nodes_[index_].count;
  if (is_map()) return document_->nodes_[index_].count / 2;
  return 0;
}

YamlNode YamlNode::child(std::uint32_t index) const {
  const YamlDocument::NodeData& node = document_->nodes_[index];
  if (node.kind != Kind::alias) return YamlNode(document_, index, via_);
  return YamlNode(document_, node.first, via_ == kNone ? index : via_);
}

std::vector<YamlNode> YamlNode::elements() const {
  std::vector<YamlNode> result;
  if (!is_sequence()) return result;
  const YamlDocument::NodeData& node = document_->nodes_[index_];
  result.reserve(node.count);
  for (std::uint32_t offset = 0; offset < node.count; ++offset) {
    result.push_back(child(document_->children_[node.first + offset]));
  }
  return result;
}

std::vector<YamlNode::Entry> YamlNode::entries() const {
  std::vector<Entry> result;
  if (!is_map()) return result;
  const YamlDocument::NodeData& node = document_->nodes_[index_];
  result.reserve(node.count / 2);
  for (std::uint32_t offset = 0; offset + 1 < node.count; offset += 2) {
    result.push_back(
        Entry{child(document_->children_[node.first + offset]), child(document_->children_[node.first + offset + 1])});
  }
  return result;
}

Position YamlNode::position() const {
  if (document_ == nullptr) return Position{};
  const YamlDocument::NodeData& node = document_->nodes_[index_];
  return Position{static_cast<int>(node.line), static_cast<int>(node.column)};
}

std::optional<YamlNode> YamlNode::via_alias() const {
  if (via_ == kNone) return std::nullopt;
  return YamlNode(document_, via_, kNone);
}

std::string_view YamlNode::anchor_name() const {
  if (kind() != Kind::alias) return {};
  return document_->anchors_[document_->nodes_[index_].count].name;
}

Position YamlNode::anchor_position() const {
  if (kind() != Kind::alias) return Position{};
  return YamlNode(document_, document_->nodes_[index_].first, kNone).position();
}

}  // namespace vgen::gen::detail
