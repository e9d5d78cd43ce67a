// The world of one split device.
#include "split_world.hpp"

#include <poll.h>

#include <future>

#include <vgen/conform/trace.hpp>
#include <vgen/store/domain.hpp>
#include <vgen/store/wire_client.hpp>
#include <vgen/xenbus/device_paths.hpp>
#include <vgen/xenbus/toolstack.hpp>
#include <vgen/xenbus/vbus.hpp>

namespace vgen::conform::xenbus_checks {
namespace {

constexpr std::uint32_t kGrantEntries = 16;

xen::GrantTable make_table(const SplitTarget& target) {
  return xen::GrantTable::create(SplitWorld::kFrontendDomain,
                                 target.halves.spec->ring_frames() + target.halves.data_pages, kGrantEntries);
}

}  // namespace

HalfThread::HalfThread(std::function<bool()> step, std::function<std::vector<int>()> fds)
    : step_(std::move(step)), fds_(std::move(fds)), thread_([this] { loop(); }) {}

HalfThread::~HalfThread() {
  stop_ = true;
  thread_.join();
}

void HalfThread::post(std::function<void()> command) {
  std::lock_guard lock(mutex_);
  commands_.push_back(std::move(command));
  ++posted_;
}

bool HalfThread::run_and_wait(std::function<void()> command, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  commands_.push_back(std::move(command));
  const std::uint64_t ticket = ++posted_;
  return ran_.wait_for(lock, timeout, [&] { return done_ >= ticket || ended_; }) && done_ >= ticket;
}

std::string HalfThread::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void HalfThread::loop() {
  while (!stop_) {
    try {
      std::vector<std::function<void()>> commands;
      {
        std::lock_guard lock(mutex_);
        commands.swap(commands_);
      }
      for (auto& command : commands) {
        command();
        std::lock_guard lock(mutex_);
        ++done_;
        ran_.notify_all();
      }
      if (step_()) continue;
      std::vector<pollfd> polled;
      for (const int fd : fds_()) {
        if (fd >= 0) polled.push_back({fd, POLLIN, 0});
      }
      {
        std::lock_guard lock(mutex_);
        if (!commands_.empty()) continue;  // a command came while stepping: run it before waiting
      }
      ::poll(polled.data(), polled.size(), 2);
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      error_ = e.what();
      break;
    }
  }
  std::lock_guard lock(mutex_);
  ended_ = true;
  ran_.notify_all();
}

std::unique_ptr<store::Client> SplitWorld::connect(const StoreAccess& store, xenbus::DomainId domain) {
  if (local_ != nullptr) {
    local_->set_trace(check_trace());  // the in-process store records every connection's messages
    return std::make_unique<store::LocalClient>(*local_, domain);
  }
  std::unique_ptr<store::WireClient> client;
  if (domain == 0) {
    client = std::make_unique<store::WireClient>(store.socket);
  } else if (store.shim_dir.empty()) {
    client = std::make_unique<store::WireClient>(store.socket, domain);
  } else {
    bridges_.push_back(std::make_unique<GuestRingBridge>(store.shim_dir, store.socket, domain));
    client = std::make_unique<store::WireClient>(bridges_.back()->socket_path(), domain);
  }
  client->set_trace(check_trace());  // a daemon's connections: each client records its own view
  return client;
}

SplitWorld::SplitWorld(const SplitTarget& target, const StoreAccess& store)
    : target_(target),
      local_(store.socket.empty() ? std::make_unique<store::LocalStore>() : nullptr),
      toolstack_(connect(store, 0)),
      frontend_raw_(connect(store, kFrontendDomain)),
      backend_raw_(connect(store, kBackendDomain)),
      table_(make_table(target)),
      mapper_(xen::GrantMapper::attach(table_, kBackendDomain)) {
  xen::EventChannels::link(frontend_events_, backend_events_);
  mapper_.set_trace(check_trace());
  frontend_events_.set_trace(check_trace());
  backend_events_.set_trace(check_trace());
  frontend_recorded_ = std::make_unique<RecordingClient>(*frontend_raw_, log_, true);
  backend_recorded_ = std::make_unique<RecordingClient>(*backend_raw_, log_, false);
  if (target.wrap_frontend_client) frontend_wrapped_ = target.wrap_frontend_client(*frontend_recorded_);
  if (target.wrap_backend_client) backend_wrapped_ = target.wrap_backend_client(*backend_recorded_);
}

SplitWorld::~SplitWorld() {
  stop_halves();
  try {
    destroy();  // a daemon outlives the world: the next one starts clean
  } catch (const std::exception&) {
    // The store is gone: nothing left to clean.
  }
}

xenbus::DeviceAddress SplitWorld::device() const {
  return {std::string(target_.halves.spec->device_type), kFrontendDomain, kBackendDomain, 0};
}
std::string SplitWorld::frontend_dir() const { return xenbus::frontend_path(device()); }
std::string SplitWorld::backend_dir() const { return xenbus::backend_path(device()); }

void SplitWorld::create() {
  destroy();  // what an earlier world on the same daemon left
  if (!vbus()) {
    xenbus::create_device(*toolstack_, device());
    return;
  }
  // vbus: the platform's topology names the device, enabled; populate() makes its entries.
  const xenbus::DeviceAddress d = device();
  xenbus::populate(*toolstack_, {{d.type, d.devid, d.frontend_id, d.backend_id, true}});
}

bool SplitWorld::vbus() const noexcept { return !target_.halves.spec->frontend_compatible.empty(); }

void SplitWorld::destroy() {
  xenbus::destroy_device(*toolstack_, device());
  for (const xenbus::DomainId domain : {kFrontendDomain, kBackendDomain}) {
    try {
      toolstack_->remove(store::domain_path(domain) + "/error");
    } catch (const store::ClientError&) {
      // No error directory.
    }
  }
}

void SplitWorld::start_frontend() {
  store::Client& client = frontend_wrapped_ ? *frontend_wrapped_ : *frontend_recorded_;
  if (!vbus()) {
    frontend_ = target_.halves.make_frontend(client, device(), table_, frontend_events_);
    frontend_->set_trace(check_trace());
  } else {
    // vbus: the frontend domain's bus attaches the half registered under its compatible string.
    frontend_bus_ = std::make_unique<xenbus::Bus>(client);
    frontend_bus_->register_frontend(target_.halves.spec->frontend_compatible,
                                     [this](store::Client& owner, const xenbus::DeviceAddress& d) {
                                       auto made = target_.halves.make_frontend(owner, d, table_, frontend_events_);
                                       made->set_trace(check_trace());
                                       return made;
                                     });
  }
  frontend_thread_ = std::make_unique<HalfThread>(
      [this] {
        const bool changed = frontend_bus_ && frontend_bus_->process();
        halves::SplitFrontendLink* f = frontend();
        return (f != nullptr && f->step()) || changed;
      },
      [this] {
        halves::SplitFrontendLink* f = frontend();
        return std::vector<int>{frontend_bus_ ? frontend_bus_->pollable_fd() : -1, f ? f->pollable_fd() : -1,
                                f ? f->event_fd() : -1};
      });
}

void SplitWorld::start_backend() {
  store::Client& client = backend_wrapped_ ? *backend_wrapped_ : *backend_recorded_;
  if (!vbus()) {
    backend_ = target_.halves.make_backend(client, device(), mapper_, backend_events_);
    backend_->set_trace(check_trace());  // Xenbus states and the ring's entries, as the pair runner records them
    backend_->probe();                   // before its thread runs, as the pair runner does
  } else {
    // vbus: the backend domain's bus attaches and probes the half registered under its
    // compatible string.
    backend_bus_ = std::make_unique<xenbus::Bus>(client);
    backend_bus_->register_backend(target_.halves.spec->backend_compatible,
                                   [this](store::Client& owner, const xenbus::DeviceAddress& d) {
                                     auto made = target_.halves.make_backend(owner, d, mapper_, backend_events_);
                                     made->set_trace(check_trace());
                                     return made;
                                   });
  }
  backend_thread_ = std::make_unique<HalfThread>(
      [this] {
        const bool changed = backend_bus_ && backend_bus_->process();
        halves::SplitBackendLink* b = backend();
        return (b != nullptr && b->step()) || changed;
      },
      [this] {
        halves::SplitBackendLink* b = backend();
        return std::vector<int>{backend_bus_ ? backend_bus_->pollable_fd() : -1, b ? b->pollable_fd() : -1,
                                b ? b->event_fd() : -1};
      });
}

halves::SplitFrontendLink* SplitWorld::frontend() const {
  if (!frontend_bus_) return frontend_.get();
  return dynamic_cast<halves::SplitFrontendLink*>(frontend_bus_->driver(device()));
}

halves::SplitBackendLink* SplitWorld::backend() const {
  if (!backend_bus_) return backend_.get();
  return dynamic_cast<halves::SplitBackendLink*>(backend_bus_->driver(device()));
}

std::string SplitWorld::bus_problems() const {
  std::string out;
  for (const xenbus::Bus* bus : {frontend_bus_.get(), backend_bus_.get()}) {
    if (bus == nullptr) continue;
    for (const std::string& f : bus->failures()) out += (out.empty() ? "" : "; ") + f;
    for (const std::string& u : bus->unmatched()) out += (out.empty() ? "" : "; ") + ("no driver for " + u);
  }
  return out;
}

void SplitWorld::frontend_do(std::function<void(halves::SplitFrontendLink&)> command) {
  if (frontend_thread_)
    frontend_thread_->post([this, command = std::move(command)] {
      if (halves::SplitFrontendLink* f = frontend()) command(*f);
    });
}

void SplitWorld::backend_do(std::function<void(halves::SplitBackendLink&)> command) {
  if (backend_thread_)
    backend_thread_->post([this, command = std::move(command)] {
      if (halves::SplitBackendLink* b = backend()) command(*b);
    });
}

std::string SplitWorld::half_errors() const {
  std::string errors;
  if (frontend_thread_ && !frontend_thread_->error().empty()) errors += "frontend: " + frontend_thread_->error();
  if (backend_thread_ && !backend_thread_->error().empty())
    errors += (errors.empty() ? "" : "; ") + std::string("backend: ") + backend_thread_->error();
  return errors;
}

namespace {

// Returns once every watch event `client` had queued before the call has been delivered: a
// watch fires once when set, behind the events queued before it.
bool flush_watch_events(store::Client& client, const std::string& path, const std::string& token,
                        std::chrono::milliseconds timeout) {
  auto fired = std::make_shared<std::promise<void>>();
  auto once = std::make_shared<std::once_flag>();
  client.watch(path, token, [fired, once](const std::string&, const std::string&) {
    std::call_once(*once, [&] { fired->set_value(); });
  });
  const bool delivered = fired->get_future().wait_for(timeout) == std::future_status::ready;
  client.unwatch(path, token);
  return delivered;
}

}  // namespace

bool SplitWorld::settle(std::chrono::milliseconds timeout) {
  constexpr int kMaxRounds = 16;
  for (int round = 0; round < kMaxRounds; ++round) {
    const std::size_t before = log_.size();
    const std::string token = "conform-barrier-" + std::to_string(++barriers_);
    for (store::Client* client : {frontend_raw_.get(), backend_raw_.get()}) {
      if (!flush_watch_events(*client, store::domain_path(client->domain()), token, timeout)) return false;
    }
    for (HalfThread* half : {frontend_thread_.get(), backend_thread_.get()}) {
      if (half == nullptr) continue;
      // Two commands in turn: the half's loop steps between them.
      if (!half->run_and_wait([] {}, timeout) || !half->run_and_wait([] {}, timeout)) return false;
    }
    if (log_.size() == before) return true;
  }
  return true;
}

void SplitWorld::stop_frontend() {
  frontend_thread_.reset();
  frontend_.reset();
  frontend_bus_.reset();
}

void SplitWorld::stop_halves() {
  frontend_thread_.reset();
  backend_thread_.reset();
  frontend_.reset();
  backend_.reset();
  frontend_bus_.reset();
  backend_bus_.reset();
  crashed_backend_.reset();
  crashed_bus_.reset();
}

void SplitWorld::crash_backend() {
  backend_thread_.reset();
  crashed_backend_ = std::move(backend_);
  crashed_bus_ = std::move(backend_bus_);
  toolstack_->remove(backend_dir());
}

void SplitWorld::replace_backend() {
  crashed_backend_.reset();  // its watches go: the new backend sets the same ones
  crashed_bus_.reset();
  const std::string dir = backend_dir();
  store::run_transaction(*toolstack_, [&](store::TransactionId tx) {
    toolstack_->mkdir(dir, tx);
    toolstack_->set_permissions(dir, {{kBackendDomain, store::Access::None}, {kFrontendDomain, store::Access::Read}},
                                tx);
    toolstack_->write(dir + "/" + std::string(xenbus::kFrontendNode), frontend_dir(), tx);
    toolstack_->write(dir + "/" + std::string(xenbus::kFrontendIdNode), std::to_string(kFrontendDomain), tx);
    toolstack_->write(dir + "/" + std::string(xenbus::kOnlineNode), "1", tx);
    toolstack_->write(dir + "/" + std::string(xenbus::kStateNode), "1", tx);
    // As a toolstack re-adding the device does: the frontend's state back to Initialising,
    // so the new backend does not take the frontend's old Closed for a closedown.
    toolstack_->write(frontend_dir() + "/" + std::string(xenbus::kStateNode), "1", tx);
  });
  start_backend();
}

}  // namespace vgen::conform::xenbus_checks
