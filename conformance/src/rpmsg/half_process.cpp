// An rpmsg half under test in a process of its own.
#include "half_process.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <thread>

#include <vgen/conform/process.hpp>
#include <vgen/error.hpp>

namespace vgen::conform::rpmsg_checks {

void HalfReport::publish(const rpmsg::Statistics& statistics) noexcept {
  sequence_.fetch_add(1);  // odd: writing
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(static_cast<void*>(&statistics_), &statistics, sizeof statistics);
  std::atomic_thread_fence(std::memory_order_release);
  sequence_.fetch_add(1);  // even: a whole copy
  published_.fetch_add(1);
}

void HalfReport::fail(const std::string& what) noexcept {
  const std::size_t n = std::min(what.size(), sizeof error_ - 1);
  std::memcpy(error_, what.data(), n);
  error_[n] = '\0';
  failed_ = true;
}

void HalfReport::finish(bool complete) noexcept {
  complete_ = complete;
  done_ = true;
}

HalfProcess::HalfProcess(std::function<void(HalfReport&)> body)
    : page_(shm::Region::create("conform-rpmsg-half", sizeof(HalfReport))) {
  new (page_.data()) HalfReport();
  std::fflush(nullptr);  // nothing buffered is written twice
  child_ = ::fork();
  if (child_ < 0) throw vgen::Error("cannot fork the half under test");
  if (child_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the harness gone: so is the half
    try {
      body(report());
    } catch (const std::exception& e) {
      report().fail(e.what());
    }
    std::fflush(nullptr);
    ::_exit(0);
  }
}

HalfProcess::~HalfProcess() {
  report().stop_ = true;
  int status = 0;
  for (int i = 0; i < 200; ++i) {  // up to 2 s for the child's loop to notice
    if (::waitpid(child_, &status, WNOHANG) == child_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  end_child(child_);  // SIGTERM, then SIGKILL: a half with its own recorder writes its log out
}

rpmsg::Statistics HalfProcess::statistics() const {
  HalfReport& r = report();
  // Two publications after the call: the child finished the step it was in.
  const std::uint64_t wanted = r.published_.load() + 2;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (r.published_.load() < wanted && std::chrono::steady_clock::now() < deadline && !r.done_.load() &&
         !r.failed_.load())
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  for (;;) {
    const std::uint64_t before = r.sequence_.load();
    if (before % 2 != 0) continue;
    std::atomic_thread_fence(std::memory_order_acquire);
    rpmsg::Statistics copy;
    std::memcpy(static_cast<void*>(&copy), &r.statistics_, sizeof copy);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (r.sequence_.load() == before) return copy;
  }
}

std::string HalfProcess::error() const {
  if (report().failed_.load()) return report().error_;
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(child_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != child_)
    return "";  // still running
  if (info.si_code == CLD_EXITED && info.si_status == 0) return "";
  return info.si_code == CLD_EXITED ? "the half's process exited with status " + std::to_string(info.si_status)
                                    : "the half's process died of signal " + std::to_string(info.si_status);
}

}  // namespace vgen::conform::rpmsg_checks
