#include "vgen/testing/rpmsg_harness.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <utility>

#include <vgen/shm/allocator.hpp>
#include <vgen/shm/region.hpp>

namespace vgen::testing {
namespace {

constexpr shm::GuestAddress kBase = 0x40000000;

}  // namespace

RpmsgLink::RpmsgLink(std::uint32_t buffer_size) {
  rpmsg::LayoutOptions options;
  options.buffer_size = buffer_size;
  const std::uint64_t bytes = (rpmsg::SharedLayout::bytes(options) + 4095) & ~std::uint64_t{4095};
  memory_.add(kBase, std::make_shared<shm::Region>(shm::Region::create("vgen-test-rpmsg", bytes)));
  shm::Allocator allocator(kBase, bytes);
  const rpmsg::SharedLayout layout = rpmsg::SharedLayout::plan(allocator, options);
  host_vrings_.emplace(memory_, layout, rpmsg::Notifiers{&kick_, &interrupt_});
  remote_vrings_.emplace(memory_, layout, rpmsg::Notifiers{&interrupt_, &kick_});
  rpmsg::BusOptions remote;
  remote.feedback = remote_vrings_->feedback();
  remote_bus_.emplace(remote_vrings_->link(), remote);
  rpmsg::BusOptions host;
  host.feedback = host_vrings_->feedback();
  host_bus_.emplace(host_vrings_->link(), host);
}

RpmsgLink::~RpmsgLink() { halt(); }

void RpmsgLink::serve() {
  remote_ = std::thread([this] {
    try {
      while (!stopping_.load(std::memory_order_acquire)) {
        if (remote_bus_->poll() == 0) remote_bus_->wait(std::chrono::milliseconds(10));
      }
    } catch (...) {
      failure_ = std::current_exception();
    }
  });
}

void RpmsgLink::stop() {
  halt();
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void RpmsgLink::halt() noexcept {
  stopping_.store(true, std::memory_order_release);
  try {
    kick_.signal();
  } catch (const std::exception&) {
    // The thread still sees the flag within its wait's timeout.
  }
  if (remote_.joinable()) remote_.join();
}

}  // namespace vgen::testing
