// Runs a vgen vhost-user Backend over an EchoDevice on its own thread, on a socket in a fresh
// directory, and keeps every line it logs (and, when a fixture sets trace_sink before SetUp(),
// hands the back end that sink).
#pragma once

#include <gtest/gtest.h>
#include <linux/virtio_config.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <vgen/vhost_user/backend.hpp>

#include "front_end.hpp"
#include "test_device.hpp"

namespace vhost_test {

/// VIRTIO_F_VERSION_1 as a feature word.
inline constexpr std::uint64_t kVersion1 = 1ull << VIRTIO_F_VERSION_1;

class BackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vgen-vhost-XXXXXX";
    directory_ = mkdtemp(pattern);
    path = directory_ + "/dev.sock";
    vgen::vhost_user::Options options;
    options.log = [this](const std::string& line) {
      std::lock_guard lock(mutex_);
      lines_.push_back(line);
    };
    options.sink = trace_sink;
    backend = std::make_unique<vgen::vhost_user::Backend>(device, path, options);
    thread_ = std::thread([this] { backend->run(); });
  }
  void TearDown() override {
    backend->stop();
    thread_.join();
    backend.reset();
    rmdir(directory_.c_str());
  }

  /// True when a logged line contains every fragment within `timeout`.
  bool logged(const std::vector<std::string>& fragments, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        for (const std::string& line : lines_) {
          bool all = true;
          for (const std::string& f : fragments) all = all && line.find(f) != std::string::npos;
          if (all) return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  /// Every logged line, for failure messages.
  std::string log_text() {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const std::string& line : lines_) text += line + "\n";
    return text;
  }
  /// Waits until `condition` holds (5 s).
  template <class Condition>
  static bool eventually(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return condition();
  }

  /// Starts `session` with the back-end channel handed over, then has the device change its
  /// configuration (7 at offset 4); returns our end of the channel, where the notice arrives.
  int start_and_change_config(Session& session) {
    session.connect();
    const int channel = session.open_backend_channel();
    session.start();
    const std::uint32_t value = 7;
    backend->device().core().update_config(4, std::as_bytes(std::span(&value, 1)), true);
    return channel;
  }

  EchoDevice device;
  vgen::trace::TraceSink* trace_sink = nullptr;
  std::string path;
  std::unique_ptr<vgen::vhost_user::Backend> backend;

 private:
  std::string directory_;
  std::mutex mutex_;
  std::vector<std::string> lines_;
  std::thread thread_;
};

/// The bytes of `text`.
inline std::vector<std::uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }

}  // namespace vhost_test
