// Shared set-up for rpmsg tests: a host bus and a remote bus over one SharedLayout in a
// memfd region, with log capture and a helper that polls both sides until nothing moves.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/vrings.hpp>
#include <vgen/shm/region.hpp>

namespace vgen::test {

using rpmsg::Bus;
using rpmsg::BusOptions;

/// The bytes of a string, as a payload.
inline std::span<const std::byte> bytes(std::string_view text) { return std::as_bytes(std::span(text)); }
/// A payload as a string.
inline std::string text(std::span<const std::byte> payload) {
  return {reinterpret_cast<const char*>(payload.data()), payload.size()};
}

/// Collects log lines; safe to use from several threads.
class LogCapture {
 public:
  rpmsg::LogSink sink() {
    return [this](const std::string& line) {
      const std::lock_guard<std::mutex> lock(mutex_);
      lines_.push_back(line);
    };
  }
  /// True if some line contains `fragment`.
  bool contains(std::string_view fragment) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return std::any_of(lines_.begin(), lines_.end(), [&](const std::string& l) { return l.find(fragment) != l.npos; });
  }
  /// Every line, joined by newlines (for failure messages).
  std::string all() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::string joined;
    for (const std::string& l : lines_) joined += l + "\n";
    return joined;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

/// One message as a test callback records it.
struct Received {
  std::uint32_t source;
  std::string payload;
  friend bool operator==(const Received&, const Received&) = default;
};

/// Host and remote buses over shared memory, no notifiers unless given.
struct BusPair {
  static constexpr shm::GuestAddress kBase = 0x80000000;

  explicit BusPair(rpmsg::LayoutOptions layout_options = {}, BusOptions host_options = {},
                   BusOptions remote_options = {}, rpmsg::Notifiers host_notifiers = {},
                   rpmsg::Notifiers remote_notifiers = {})
      : host_options_(std::move(host_options)),
        remote_options_(std::move(remote_options)),
        host_notifiers_(host_notifiers),
        remote_notifiers_(remote_notifiers) {
    const std::uint64_t size = (rpmsg::SharedLayout::bytes(layout_options) + 4095) & ~std::uint64_t{4095};
    memory.add(kBase, std::make_shared<shm::Region>(shm::Region::create("vgen-rpmsg-test", size)));
    shm::Allocator allocator(kBase, size);
    layout = rpmsg::SharedLayout::plan(allocator, layout_options);
    host_vrings = std::make_unique<rpmsg::HostVrings>(memory, layout, host_notifiers_);
    host = std::make_unique<Bus>(host_vrings->link(), options_for(host_options_, host_log, host_vrings->feedback()));
    start_remote();
  }

  /// Builds the remote side (again, after stop_remote()).
  void start_remote() {
    remote_vrings = std::make_unique<rpmsg::RemoteVrings>(memory, layout, remote_notifiers_);
    remote = std::make_unique<Bus>(remote_vrings->link(),
                                   options_for(remote_options_, remote_log, remote_vrings->feedback()));
  }
  /// Drops the remote side without a word to the host, as a crash would.
  void stop_remote() {
    remote.reset();
    remote_vrings.reset();
  }
  /// A remote restart as a device reset does it: the host tears down, resets the rings and
  /// comes back up; then a fresh remote starts.
  void restart_remote() {
    stop_remote();
    host->link_down();
    host_vrings->reset();
    host->link_up();
    start_remote();
  }

  /// Polls both sides until neither has anything to do; returns the messages handled.
  std::size_t pump() {
    std::size_t total = 0;
    for (int round = 0; round < 10000; ++round) {
      const std::size_t moved = host->poll() + remote->poll();
      if (moved == 0) break;
      total += moved;
    }
    return total;
  }

  shm::GuestMemory memory;
  rpmsg::SharedLayout layout;
  LogCapture host_log;
  LogCapture remote_log;
  std::unique_ptr<rpmsg::HostVrings> host_vrings;
  std::unique_ptr<Bus> host;
  std::unique_ptr<rpmsg::RemoteVrings> remote_vrings;
  std::unique_ptr<Bus> remote;

 private:
  static BusOptions options_for(BusOptions options, LogCapture& log, rpmsg::Feedback feedback) {
    if (!options.log) options.log = log.sink();
    options.feedback = feedback;
    return options;
  }

  BusOptions host_options_;
  BusOptions remote_options_;
  rpmsg::Notifiers host_notifiers_;
  rpmsg::Notifiers remote_notifiers_;
};

/// A callback that appends every message to `into`.
inline rpmsg::EndpointCallback record_into(std::vector<Received>& into) {
  return [&into](rpmsg::Endpoint&, std::span<const std::byte> payload, std::uint32_t source) {
    into.push_back({source, text(payload)});
  };
}

/// A driver that records what happens to it and can echo or refuse.
class RecordingDriver : public rpmsg::Driver {
 public:
  explicit RecordingDriver(std::vector<std::string> names) : Driver(std::move(names)) {}

  void probe(rpmsg::Channel& channel) override {
    probed.push_back(channel.name());
    if (refuse) throw std::runtime_error("not today");
    channel_ = &channel;
  }
  void remove(rpmsg::Channel& channel) override {
    removed.push_back(channel.name());
    if (channel_ == &channel) channel_ = nullptr;
  }
  void receive(rpmsg::Channel& channel, std::span<const std::byte> payload, std::uint32_t source) override {
    messages.push_back({source, text(payload)});
    if (echo) (void)channel.try_send(payload);
  }

  /// The channel bound last and not removed since, or null.
  rpmsg::Channel* channel() const { return channel_; }

  std::vector<std::string> probed;
  std::vector<std::string> removed;
  std::vector<Received> messages;
  bool refuse = false;
  bool echo = false;

 private:
  rpmsg::Channel* channel_ = nullptr;
};

}  // namespace vgen::test
