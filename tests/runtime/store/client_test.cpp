// The store client boundary: every test runs against both implementations, LocalClient
// over an in-process Store and WireClient over a vgen-xenstored child process, and expects
// the same results; then the wire client's own concerns (req_id routing under concurrent
// callers, a lost connection, identity from the environment).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>
#include <vgen/store/client.hpp>
#include <vgen/store/local_client.hpp>
#include <vgen/store/wire_client.hpp>

#include "daemon_process.hpp"

namespace vgen::store {
namespace {

using namespace std::chrono_literals;

// Collects watch events; waits for them with a deadline.
class Events {
 public:
  WatchCallback callback() {
    return [this](const std::string& path, const std::string& token) {
      std::lock_guard lock(mutex_);
      seen_.emplace_back(path, token);
      arrived_.notify_all();
    };
  }
  // True once at least `count` events arrived (within 5 s).
  bool wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, 5s, [&] { return seen_.size() >= count; });
  }
  std::vector<std::pair<std::string, std::string>> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::pair<std::string, std::string>> seen_;
};

// Makes clients of one store acting as given domains.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::unique_ptr<Client> connect(DomainId domid) = 0;
};

class LocalBackend final : public Backend {
 public:
  std::unique_ptr<Client> connect(DomainId domid) override { return std::make_unique<LocalClient>(store_, domid); }

 private:
  LocalStore store_;
};

class WireBackend final : public Backend {
 public:
  std::unique_ptr<Client> connect(DomainId domid) override {
    return std::make_unique<WireClient>(daemon_.socket_path(), domid == 0 ? std::nullopt : std::optional(domid));
  }
  testing::Daemon& daemon() { return daemon_; }

 private:
  testing::Daemon daemon_;
};

class ClientTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      backend_ = std::make_unique<WireBackend>();
    } else {
      backend_ = std::make_unique<LocalBackend>();
    }
    dom0_ = backend_->connect(0);
  }
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<Client> dom0_;
};

// Expects `body` to throw ClientError with this operation, path and errno name.
template <class Body>
void expect_client_error(Body&& body, const std::string& operation, const std::string& path,
                         const std::string& errno_name) {
  try {
    body();
    ADD_FAILURE() << "no error; expected " << operation << " " << path << " " << errno_name;
  } catch (const ClientError& error) {
    EXPECT_EQ(error.operation(), operation);
    EXPECT_EQ(error.path(), path);
    EXPECT_EQ(error.errno_name(), errno_name);
    EXPECT_EQ(error.code(), error_code_for_name(errno_name));
    const std::string text = error.what();
    EXPECT_NE(text.find(operation), std::string::npos) << text;
    EXPECT_NE(text.find(path), std::string::npos) << text;
    EXPECT_NE(text.find(errno_name), std::string::npos) << text;
  }
}

TEST_P(ClientTest, NodeOperations) {
  dom0_->write("/a/b", std::string("x\0y", 3));
  EXPECT_EQ(dom0_->read("/a/b"), std::string("x\0y", 3));
  EXPECT_EQ(dom0_->read("/a"), "");  // created as a parent, empty
  dom0_->mkdir("/a/c");
  dom0_->mkdir("/a/b");  // exists: keeps its value
  EXPECT_EQ(dom0_->read("/a/b"), std::string("x\0y", 3));
  EXPECT_EQ(dom0_->directory("/a"), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(dom0_->directory("/a/c").empty());
  dom0_->remove("/a");
  EXPECT_FALSE(dom0_->exists("/a/b"));
  EXPECT_EQ(dom0_->try_read("/a"), std::nullopt);
}

TEST_P(ClientTest, LargeDirectoryIsListedWhole) {
  // 100 names of 60 characters: more than one 4096-byte reply holds (wire: DIRECTORY_PART).
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    std::string name = "child-" + std::to_string(1000 + i) + std::string(49, 'x');
    dom0_->write("/big/" + name, "");
    expected.push_back(std::move(name));
  }
  EXPECT_EQ(dom0_->directory("/big"), expected);
}

TEST_P(ClientTest, ErrorsNameOperationPathAndErrno) {
  expect_client_error([&] { dom0_->read("/missing"); }, "READ", "/missing", "ENOENT");
  expect_client_error([&] { dom0_->write("/bad//path", "v"); }, "WRITE", "/bad//path", "EINVAL");
  expect_client_error([&] { dom0_->remove("/"); }, "RM", "/", "EINVAL");
  expect_client_error([&] { dom0_->directory("/nope/x"); }, "DIRECTORY", "/nope/x", "ENOENT");
  expect_client_error([&] { dom0_->transaction_end(77, true); }, "TRANSACTION_END", "", "ENOENT");
}

TEST_P(ClientTest, PermissionsActAsTheClientsDomain) {
  std::unique_ptr<Client> guest = backend_->connect(5);
  EXPECT_EQ(guest->domain(), 5);
  dom0_->write("/local/domain/5/secret", "s");
  expect_client_error([&] { guest->read("/local/domain/5/secret"); }, "READ", "/local/domain/5/secret", "EACCES");
  const Permissions granted{{0, Access::None}, {5, Access::Read}};
  dom0_->set_permissions("/local/domain/5/secret", granted);
  EXPECT_EQ(dom0_->get_permissions("/local/domain/5/secret"), granted);
  EXPECT_EQ(guest->read("/local/domain/5/secret"), "s");
  expect_client_error([&] { guest->write("/local/domain/5/secret", "t"); }, "WRITE", "/local/domain/5/secret",
                      "EACCES");
  expect_client_error(
      [&] {
        guest->set_permissions("/local/domain/5/secret", {{5, Access::Both}});
      },
      "SET_PERMS", "/local/domain/5/secret", "EACCES");
}

TEST_P(ClientTest, WatchDeliversRegistrationAndChangesByToken) {
  Events first;
  Events second;
  dom0_->watch("/w", "one", first.callback());
  dom0_->watch("/w/deep", "two", second.callback());
  ASSERT_TRUE(first.wait_for(1));
  ASSERT_TRUE(second.wait_for(1));
  dom0_->write("/w/deep/x", "1");
  dom0_->write("/wother", "1");  // a sibling sharing a prefix fires nothing
  ASSERT_TRUE(first.wait_for(2));
  ASSERT_TRUE(second.wait_for(2));
  dom0_->unwatch("/w", "one");
  dom0_->write("/w/deep/x", "2");
  ASSERT_TRUE(second.wait_for(3));
  using Seen = std::vector<std::pair<std::string, std::string>>;
  dom0_->unwatch("/w/deep", "two");
  EXPECT_EQ(first.seen(), (Seen{{"/w", "one"}, {"/w/deep/x", "one"}}));
  EXPECT_EQ(second.seen(), (Seen{{"/w/deep", "two"}, {"/w/deep/x", "two"}, {"/w/deep/x", "two"}}));
}

TEST_P(ClientTest, CallbackMayCallTheClient) {
  std::mutex mutex;
  std::condition_variable done;
  std::vector<std::string> values;
  dom0_->write("/cb", "start");
  dom0_->watch("/cb", "t", [&](const std::string& path, const std::string&) {
    std::string value = dom0_->read(path);  // a request from the callback's thread
    std::lock_guard lock(mutex);
    values.push_back(std::move(value));
    done.notify_all();
  });
  dom0_->write("/cb", "next");
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(done.wait_for(lock, 5s, [&] { return values.size() == 2; }));
    EXPECT_EQ(values.back(), "next");
  }
  dom0_->unwatch("/cb", "t");  // the callback refers to locals of this test
}

TEST_P(ClientTest, DuplicateTokenAndUnknownWatch) {
  Events events;
  dom0_->watch("/d", "tok", events.callback());
  expect_client_error([&] { dom0_->watch("/e", "tok", events.callback()); }, "WATCH", "/e", "EEXIST");
  expect_client_error([&] { dom0_->unwatch("/d", "other"); }, "UNWATCH", "/d", "ENOENT");
  ASSERT_TRUE(events.wait_for(1));
  dom0_->unwatch("/d", "tok");  // `events` goes out of scope before the client
  EXPECT_EQ(events.seen().size(), 1u);
}

TEST_P(ClientTest, TransactionsCommitAbortAndConflict) {
  const TransactionId tx = dom0_->transaction_start();
  dom0_->write("/t/x", "1", tx);
  EXPECT_FALSE(dom0_->exists("/t/x"));  // isolated until commit
  EXPECT_EQ(dom0_->read("/t/x", tx), "1");
  dom0_->transaction_end(tx, true);
  EXPECT_EQ(dom0_->read("/t/x"), "1");

  const TransactionId aborted = dom0_->transaction_start();
  dom0_->write("/t/x", "2", aborted);
  dom0_->transaction_end(aborted, false);
  EXPECT_EQ(dom0_->read("/t/x"), "1");

  const TransactionId conflicting = dom0_->transaction_start();
  EXPECT_EQ(dom0_->read("/t/x", conflicting), "1");
  dom0_->write("/t/x", "3");
  dom0_->write("/t/y", "1", conflicting);
  expect_client_error([&] { dom0_->transaction_end(conflicting, true); }, "TRANSACTION_END", "", "EAGAIN");
  EXPECT_FALSE(dom0_->exists("/t/y"));
}

TEST_P(ClientTest, RunTransactionRetriesOnConflict) {
  dom0_->write("/counter", "0");
  std::unique_ptr<Client> other = backend_->connect(0);
  int attempts = 0;
  run_transaction(*dom0_, [&](TransactionId tx) {
    const int value = std::stoi(dom0_->read("/counter", tx));
    if (++attempts == 1) other->write("/counter", "10");  // makes the first commit conflict
    dom0_->write("/counter", std::to_string(value + 1), tx);
  });
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(dom0_->read("/counter"), "11");

  int tries = 0;
  expect_client_error(
      [&] {
        run_transaction(
            *dom0_,
            [&](TransactionId tx) {
              dom0_->read("/counter", tx);
              ++tries;
              other->write("/counter", std::to_string(tries));
              dom0_->write("/counter", "x", tx);
            },
            3);
      },
      "TRANSACTION_END", "", "EAGAIN");
  EXPECT_EQ(tries, 3);
}

INSTANTIATE_TEST_SUITE_P(Both, ClientTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) { return param.param ? "Wire" : "Local"; });

// ---- wire client only ----

TEST(WireClient, ConcurrentCallersGetTheirOwnReplies) {
  testing::Daemon daemon;
  WireClient client(daemon.socket_path());
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::string path = "/c/" + std::to_string(t) + "/" + std::to_string(i % 10);
        const std::string value = std::to_string(t * 100000 + i);
        client.write(path, value);
        if (client.read(path) != value) ++wrong[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(WireClient, LostConnectionFailsWithEio) {
  testing::Daemon daemon;
  WireClient client(daemon.socket_path());
  client.write("/x", "1");
  EXPECT_EQ(daemon.stop(), 0);
  expect_client_error([&] { client.read("/x"); }, "READ", "/x", "EIO");
  EXPECT_FALSE(client.connected());
}

// A send that fails must close the client at once, whatever the reader thread has seen
// yet. Made deterministic with a peer that stops reading (SHUT_RD) but never closes: sends
// then fail with EPIPE while the reader waits on, so only the send path can notice.
TEST(WireClient, FailedSendClosesTheClientAtOnce) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/socket";
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  WireClient client(path);
  const int peer = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(peer, 0);
  ASSERT_EQ(::shutdown(peer, SHUT_RD), 0);
  expect_client_error([&] { client.read("/x"); }, "READ", "/x", "EIO");
  EXPECT_FALSE(client.connected());
  expect_client_error([&] { client.write("/y", "v"); }, "WRITE", "/y", "EIO");
  ::close(peer);
  ::close(listener);
}

TEST(WireClient, ConnectFailuresAreNamed) {
  testing::TempDir dir;
  expect_client_error([&] { WireClient client(dir.path() + "/none"); }, "CONNECT", dir.path() + "/none", "EIO");
  expect_client_error([&] { WireClient client(std::string(200, 'x')); }, "CONNECT", std::string(200, 'x'), "EINVAL");
}

TEST(WireClient, IdentityFromEnvironment) {
  testing::Daemon daemon;
  ::setenv("XENSTORED_PATH", daemon.socket_path().c_str(), 1);
  ::setenv(kDomainEnvironmentVariable, "7", 1);
  EXPECT_EQ(default_socket_path(), daemon.socket_path());
  {
    WireClient dom0(daemon.socket_path());
    dom0.mkdir("/local/domain/7");
    dom0.set_permissions("/local/domain/7", {{7, Access::None}});  // the toolstack gives the guest its home
    std::unique_ptr<WireClient> guest = WireClient::from_environment();
    EXPECT_EQ(guest->domain(), 7);
    guest->write("data", "mine");  // relative: under the guest's home
    EXPECT_EQ(dom0.read("/local/domain/7/data"), "mine");
    EXPECT_EQ(dom0.get_permissions("/local/domain/7/data").front(), (Permission{7, Access::None}));
  }
  ::setenv(kDomainEnvironmentVariable, "seven", 1);
  try {
    WireClient::from_environment();
    ADD_FAILURE() << "bad VGEN_DOMID accepted";
  } catch (const ClientError& error) {
    EXPECT_EQ(error.errno_name(), "EINVAL");
    EXPECT_NE(std::string(error.what()).find("VGEN_DOMID"), std::string::npos) << error.what();
  }
  ::unsetenv(kDomainEnvironmentVariable);
  ::unsetenv("XENSTORED_PATH");
}

}  // namespace
}  // namespace vgen::store

namespace vgen::store {
namespace {

TEST(WatchDispatcher, ThrowingCallbackIsCountedAndDeliveryGoesOn) {
  WatchDispatcher dispatcher;
  Events events;
  dispatcher.add("/a", "bad", [](const std::string&, const std::string&) { throw std::runtime_error("boom"); });
  dispatcher.add("/b", "good", events.callback());
  dispatcher.post("/a", "bad");
  dispatcher.post("/b", "good");
  dispatcher.post("/c", "unknown");  // no such token: dropped
  dispatcher.post("/b", "good");
  ASSERT_TRUE(events.wait_for(2));
  EXPECT_EQ(dispatcher.failed_callbacks(), 1u);
  using Seen = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(events.seen(), (Seen{{"/b", "good"}, {"/b", "good"}}));
  dispatcher.stop();
  dispatcher.post("/b", "good");  // after stop: dropped
  EXPECT_EQ(dispatcher.pending(), 0u);
}

}  // namespace
}  // namespace vgen::store
