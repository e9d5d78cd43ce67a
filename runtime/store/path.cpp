#include <vgen/store/path.hpp>

#include <vgen/store/error.hpp>

namespace vgen::store {
namespace {

constexpr std::string_view kDomainRoot = "/local/domain/";

bool valid_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '/' ||
         c == '_' || c == '@';
}

[[noreturn]] void reject_path(std::string_view path, const std::string& why) {
  // Long paths are shortened in the message so the error stays readable.
  std::string shown(path.substr(0, 80));
  if (path.size() > 80) shown += "...";
  throw Error(ErrorCode::Invalid, "path '" + shown + "': " + why);
}

// Length of a "/local/domain/<1-5 digits>/" prefix of `path`, or 0 if there is none.
std::size_t domain_prefix_length(std::string_view path) noexcept {
  if (path.substr(0, kDomainRoot.size()) != kDomainRoot) return 0;
  std::size_t at = kDomainRoot.size();
  std::size_t digits = 0;
  while (at < path.size() && path[at] >= '0' && path[at] <= '9' && digits < 5) {
    ++at;
    ++digits;
  }
  if (digits == 0 || at >= path.size() || path[at] != '/') return 0;
  return at + 1;
}

void check_characters(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (!valid_char(path[i])) {
      reject_path(path, "invalid character (code " + std::to_string(static_cast<unsigned char>(path[i])) +
                            ") at offset " + std::to_string(i) + "; allowed are letters, digits and -/_@");
    }
  }
}

// The longest home prefix is "/local/domain/65535/" (20 characters), so this rule also keeps
// every path within kMaxAbsolutePath.
void check_length(std::string_view path) {
  const std::size_t local = path.size() - domain_prefix_length(path);
  if (local > kMaxRelativePath) {
    reject_path(path, "length " + std::to_string(local) + " (after any /local/domain/<id>/ prefix) exceeds " +
                          std::to_string(kMaxRelativePath));
  }
}

void check_shape(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') reject_path(path, "trailing '/'");
  if (path.find("//") != std::string_view::npos) reject_path(path, "empty component ('//')");
}

}  // namespace

std::string home_prefix(DomainId domid) { return domain_path(domid) + "/"; }

ResolvedPath resolve_path(std::string_view path, DomainId domid) {
  if (path.empty()) reject_path(path, "empty path");
  ResolvedPath out;
  out.relative = path.front() != '/';
  out.absolute = out.relative ? home_prefix(domid) + std::string(path) : std::string(path);
  check_characters(out.absolute);
  check_shape(out.absolute);
  check_length(out.absolute);
  return out;
}

ResolvedPath resolve_watch_path(std::string_view path, DomainId domid) {
  if (!is_special_path(path)) return resolve_path(path, domid);
  check_characters(path);
  if (path.size() > kMaxRelativePath) {
    reject_path(path,
                "special path length " + std::to_string(path.size()) + " exceeds " + std::to_string(kMaxRelativePath));
  }
  return ResolvedPath{std::string(path), false};
}

bool is_special_path(std::string_view path) noexcept { return !path.empty() && path.front() == '@'; }

std::string parent_path(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return std::string(path.substr(0, slash));
}

std::string_view base_name(std::string_view path) noexcept {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string child_path(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (out != "/") out += '/';
  out += name;
  return out;
}

bool is_at_or_below(std::string_view path, std::string_view ancestor) noexcept {
  if (path == ancestor) return true;
  if (ancestor == "/") return !path.empty() && path.front() == '/';
  return path.size() > ancestor.size() && path.substr(0, ancestor.size()) == ancestor && path[ancestor.size()] == '/';
}

}  // namespace vgen::store
