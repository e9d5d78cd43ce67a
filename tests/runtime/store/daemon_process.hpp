// Test helpers: a vgen-xenstored child process on a temporary socket, and a raw client.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <vgen/store/wire.hpp>

namespace vgen::store::testing {

/// The daemon the tests run: the one this build made, or $VGEN_XENSTORED_UNDER_TEST (to
/// measure another build, e.g. main's, with the same tests: docs/store.md).
inline std::string daemon_path() {
  const char* other = std::getenv("VGEN_XENSTORED_UNDER_TEST");
  return other != nullptr && *other != '\0' ? other : VGEN_XENSTORED_PATH;
}

/// A fresh temporary directory, removed with its content at destruction.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/vgen-store-test.XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { [[maybe_unused]] int rc = std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Connects to a Unix socket; returns -1 on failure.
inline int connect_unix(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/// vgen-xenstored running as a child; stopped with SIGTERM at destruction.
class Daemon {
 public:
  explicit Daemon(std::vector<std::string> extra = {}) : socket_(dir_.path() + "/socket"), log_(dir_.path() + "/log") {
    std::vector<std::string> args{daemon_path(), "--socket", socket_};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = spawn(args, log_);
    for (int i = 0; i < 500; ++i) {
      const int fd = connect_unix(socket_);
      if (fd >= 0) {
        close(fd);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("vgen-xenstored did not come up; log: " + log());
  }
  ~Daemon() {
    if (pid_ > 0) stop();
  }

  /// Runs `args` with stdout+stderr to `log_path`; returns the pid.
  static pid_t spawn(const std::vector<std::string>& args, const std::string& log_path) {
    const pid_t pid = fork();
    if (pid == 0) {
      std::FILE* out = std::freopen(log_path.c_str(), "w", stderr);
      if (out != nullptr) dup2(fileno(stderr), STDOUT_FILENO);
      std::vector<char*> argv;
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    return pid;
  }

  /// Waits for `pid` and returns its exit status (or -1 on a signal / timeout after 10 s).
  static int wait_exit(pid_t pid) {
    for (int i = 0; i < 1000; ++i) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return -1;
  }

  /// SIGTERM and wait; returns the exit status.
  int stop() {
    kill(pid_, SIGTERM);
    const int status = wait_exit(pid_);
    pid_ = -1;
    return status;
  }

  const std::string& socket_path() const { return socket_; }
  pid_t pid() const { return pid_; }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  TempDir dir_;
  std::string socket_;
  std::string log_;
  pid_t pid_ = -1;
};

/// A raw XenStore client over a Unix socket.
class Client {
 public:
  explicit Client(const std::string& path) : fd_(connect_unix(path)) {
    if (fd_ < 0) throw std::runtime_error("cannot connect to " + path);
  }
  ~Client() {
    if (fd_ >= 0) close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  int fd() const { return fd_; }

  void send_raw(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      done += static_cast<std::size_t>(n);
    }
  }

  void send(MessageType type, const std::string& payload, std::uint32_t req_id = 0, std::uint32_t tx_id = 0) {
    send_raw(encode(Message{Header{static_cast<std::uint32_t>(type), req_id, tx_id, 0}, payload}));
  }

  /// Next message, or nullopt on EOF/timeout.
  std::optional<Message> receive(int timeout_ms = 5000) {
    std::string header;
    if (!read_exact(header, kHeaderSize, timeout_ms)) return std::nullopt;
    const auto raw = reinterpret_cast<const std::byte*>(header.data());
    const Header h = decode_header(std::span<const std::byte, kHeaderSize>(raw, kHeaderSize));
    std::string payload;
    if (!read_exact(payload, h.len, timeout_ms)) return std::nullopt;
    return Message{h, payload};
  }

  /// Sends a request and returns the next message.
  Message call(MessageType type, const std::string& payload, std::uint32_t tx_id = 0) {
    send(type, payload, 0, tx_id);
    std::optional<Message> reply = receive();
    if (!reply) throw std::runtime_error("no reply");
    return *reply;
  }

  /// True once the daemon closed the connection (reads everything still pending first).
  bool closed_by_peer(int timeout_ms = 5000) {
    char buffer[65536];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return false;
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  bool read_exact(std::string& out, std::size_t size, int timeout_ms) {
    out.resize(size);
    std::size_t done = 0;
    while (done < size) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return false;
      const ssize_t n = recv(fd_, out.data() + done, size - done, 0);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  int fd_;
};

}  // namespace vgen::store::testing
