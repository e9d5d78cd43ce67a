#include "store_daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <xen/io/xs_wire.h>

#include "wire_client.hpp"

namespace vgen::bench {
namespace {

using namespace std::chrono_literals;

std::string make_directory() {
  char pattern[] = "/tmp/vgen-bench-store.XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error(std::string("mkdtemp failed: ") + std::strerror(errno));
  return pattern;
}

void require_file(const std::string& what, const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) {
    throw std::runtime_error(what + " not found at " + path + " (" + std::strerror(errno) + ")");
  }
}

// One round trip on a fresh connection: the daemon is serving requests.
bool answers(const std::string& socket, const std::string& name) {
  try {
    WireClient client(socket, name);
    client.queue(XS_DIRECTORY, 1, nul_terminated("/"));
    client.flush();
    const WireMessage reply = client.receive(1000ms);
    return reply.type == XS_DIRECTORY && reply.req_id == 1;
  } catch (const WireError&) {
    return false;
  }
}

}  // namespace

StoreDaemon::StoreDaemon(std::string name, std::string directory)
    : name_(std::move(name)), directory_(std::move(directory)), socket_(directory_ + "/socket") {}

StoreDaemon::StoreDaemon(StoreDaemon&& other) noexcept
    : name_(std::move(other.name_)),
      directory_(std::exchange(other.directory_, {})),
      socket_(std::move(other.socket_)),
      pid_(std::exchange(other.pid_, -1)) {}

StoreDaemon StoreDaemon::start_vgen(const std::string& binary) {
  require_file("vgen-xenstored", binary);
  StoreDaemon daemon("vgen-xenstored", make_directory());
  daemon.spawn({binary, "--socket", daemon.socket_}, {});
  daemon.wait_ready();
  return daemon;
}

StoreDaemon StoreDaemon::start_c(const std::string& binary, const std::string& shim) {
  require_file("C xenstored", binary);
  require_file("vgen-xenstored-shim.so (build target vgen-xenstored-shim)", shim);
  StoreDaemon daemon("C xenstored", make_directory());
  daemon.spawn({binary, "-N"}, {{"XENSTORED_RUNDIR", daemon.directory_}, {"LD_PRELOAD", shim}});
  daemon.wait_ready();
  return daemon;
}

StoreDaemon::~StoreDaemon() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
  }
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

void StoreDaemon::spawn(const std::vector<std::string>& argv,
                        const std::vector<std::pair<std::string, std::string>>& env) {
  const std::string log_path = directory_ + "/log";
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid_ == 0) {
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    for (const auto& [key, value] : env) ::setenv(key.c_str(), value.c_str(), 1);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
}

bool StoreDaemon::running() {
  if (pid_ <= 0) return false;
  if (::waitpid(pid_, nullptr, WNOHANG) == 0) return true;
  pid_ = -1;
  return false;
}

std::uint64_t StoreDaemon::cpu_ns() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/schedstat");
  std::uint64_t on_cpu = 0;
  if (!(in >> on_cpu)) throw std::runtime_error("cannot read /proc/" + std::to_string(pid_) + "/schedstat of " + name_);
  return on_cpu;
}

std::string StoreDaemon::log() const {
  std::ifstream in(directory_ + "/log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void StoreDaemon::wait_ready() {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      const std::string how = WIFEXITED(status) ? "with exit code " + std::to_string(WEXITSTATUS(status))
                                                : "on signal " + std::to_string(WTERMSIG(status));
      throw std::runtime_error(name_ + " exited during start-up " + how + "; log:\n" + log());
    }
    if (::access(socket_.c_str(), F_OK) == 0 && answers(socket_, name_)) return;
    std::this_thread::sleep_for(20ms);
  }
  throw std::runtime_error(name_ + " did not answer on " + socket_ + " within 5 s; log:\n" + log());
}

}  // namespace vgen::bench
