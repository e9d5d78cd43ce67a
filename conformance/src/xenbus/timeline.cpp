// Snapshots of a split device's directories.
#include "timeline.hpp"

namespace vgen::conform::xenbus_checks {
namespace {

// Every node below `dir`, by path relative to it.
void collect(store::Client& client, const std::string& dir, const std::string& prefix,
             std::map<std::string, std::string>& nodes) {
  std::vector<std::string> children;
  try {
    children = client.directory(dir);
  } catch (const store::ClientError&) {
    return;
  }
  for (const std::string& child : children) {
    const std::string path = dir + "/" + child;
    const std::string name = prefix.empty() ? child : prefix + "/" + child;
    if (auto value = client.try_read(path)) nodes[name] = *value;
    collect(client, path, name, nodes);
  }
}

}  // namespace

int state_of(const std::optional<std::string>& value) {
  if (!value || value->size() != 1 || (*value)[0] < '0' || (*value)[0] > '8') return -1;
  return (*value)[0] - '0';
}

Timeline::Timeline(store::Client& observer, std::string frontend_dir, std::string backend_dir)
    : observer_(observer), frontend_dir_(std::move(frontend_dir)), backend_dir_(std::move(backend_dir)) {
  observer_.watch(frontend_dir_, "conform-frontend", [this](const std::string&, const std::string&) { record(); });
  observer_.watch(backend_dir_, "conform-backend", [this](const std::string&, const std::string&) { record(); });
}

Timeline::~Timeline() {
  try {
    observer_.unwatch(frontend_dir_, "conform-frontend");
    observer_.unwatch(backend_dir_, "conform-backend");
  } catch (const std::exception&) {
  }
}

Snapshot Timeline::take() {
  Snapshot s;
  s.frontend_exists = observer_.exists(frontend_dir_);
  s.backend_exists = observer_.exists(backend_dir_);
  collect(observer_, frontend_dir_, "", s.frontend_nodes);
  collect(observer_, backend_dir_, "", s.backend_nodes);
  if (auto it = s.frontend_nodes.find("state"); it != s.frontend_nodes.end()) s.frontend_state = it->second;
  if (auto it = s.backend_nodes.find("state"); it != s.backend_nodes.end()) s.backend_state = it->second;
  return s;
}

void Timeline::record() {
  try {
    Snapshot s = take();
    std::lock_guard lock(mutex_);
    snapshots_.push_back(std::move(s));
    recorded_.notify_all();
  } catch (const std::exception&) {
  }
}

Snapshot Timeline::now() { return take(); }

std::vector<Snapshot> Timeline::snapshots() const {
  std::lock_guard lock(mutex_);
  return snapshots_;
}

bool Timeline::wait_for(const std::function<bool(const Snapshot&)>& done, std::chrono::milliseconds timeout) const {
  std::size_t seen = 0;
  std::unique_lock lock(mutex_);
  return recorded_.wait_for(lock, timeout, [&] {
    for (; seen < snapshots_.size(); ++seen) {
      if (done(snapshots_[seen])) return true;
    }
    return false;
  });
}

}  // namespace vgen::conform::xenbus_checks
