// Requests as bytes on the wire would carry them, through Protocol::handle().
#include <gtest/gtest.h>

#include <vgen/store/protocol.hpp>

#include "store_test_support.hpp"

namespace vgen::store {
namespace {

using namespace std::string_literals;

constexpr std::uint32_t type_of(MessageType t) { return static_cast<std::uint32_t>(t); }

class ProtocolTest : public StoreTest {
 protected:
  std::vector<Message> send(ConnectionId id, std::uint32_t type, const std::string& payload, std::uint32_t tx = 0,
                            std::uint32_t req = 0) {
    std::vector<Message> out;
    protocol.handle(id, Message{Header{type, req, tx, static_cast<std::uint32_t>(payload.size())}, payload}, out);
    return out;
  }
  std::vector<Message> send(ConnectionId id, MessageType type, const std::string& payload, std::uint32_t tx = 0,
                            std::uint32_t req = 0) {
    return send(id, type_of(type), payload, tx, req);
  }
  /// Sends a request that must produce exactly one message; returns it.
  Message one(ConnectionId id, MessageType type, const std::string& payload, std::uint32_t tx = 0) {
    std::vector<Message> out = send(id, type, payload, tx);
    EXPECT_EQ(out.size(), 1u) << message_type_name(type_of(type));
    return out.empty() ? Message{} : out.front();
  }
  /// The errno name of an XS_ERROR reply, or "" if the reply is not an error.
  std::string error_of(ConnectionId id, std::uint32_t type, const std::string& payload, std::uint32_t tx = 0) {
    std::vector<Message> out = send(id, type, payload, tx);
    if (out.size() != 1 || out[0].header.type != type_of(MessageType::Error)) return "";
    return out[0].payload.substr(0, out[0].payload.size() - 1);
  }
  std::string error_of(ConnectionId id, MessageType type, const std::string& payload, std::uint32_t tx = 0) {
    return error_of(id, type_of(type), payload, tx);
  }
  TransactionId start(ConnectionId id) {
    const Message m = one(id, MessageType::TransactionStart, "\0"s);
    return static_cast<TransactionId>(std::stoul(m.payload));
  }

  std::vector<std::string> logged;
  Protocol protocol{store, [this](std::string_view line) { logged.emplace_back(line); }, true};
};

const std::string kOk = "OK\0"s;

// --- each message type ---------------------------------------------------------------------

TEST_F(ProtocolTest, WriteAndRead) {
  EXPECT_EQ(one(dom0, MessageType::Write, "/a\0value"s).payload, kOk);
  const Message m = one(dom0, MessageType::Read, "/a\0"s);
  EXPECT_EQ(m.header.type, type_of(MessageType::Read));
  EXPECT_EQ(m.payload, "value");  // no trailing NUL
}

TEST_F(ProtocolTest, WriteKeepsNulsInTheValue) {
  one(dom0, MessageType::Write, "/a\0x\0y\0"s);
  EXPECT_EQ(one(dom0, MessageType::Read, "/a\0"s).payload, "x\0y\0"s);
}

TEST_F(ProtocolTest, ReplyEchoesRequestAndTransactionIds) {
  const TransactionId tx = start(dom0);
  const std::vector<Message> out = send(dom0, MessageType::Read, "/\0"s, tx, 0xabcdef);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].header.req_id, 0xabcdefu);
  EXPECT_EQ(out[0].header.tx_id, tx);
}

TEST_F(ProtocolTest, ErrorReplyEchoesIds) {
  const std::vector<Message> out = send(dom0, MessageType::Read, "/missing\0"s, 0, 31);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].header.type, type_of(MessageType::Error));
  EXPECT_EQ(out[0].header.req_id, 31u);
  EXPECT_EQ(out[0].payload, "ENOENT\0"s);
}

TEST_F(ProtocolTest, ErrorsAreLoggedWithTheirFullMessage) {
  send(dom0, MessageType::Read, "/missing\0"s);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("READ: ENOENT: no node '/missing'"), std::string::npos) << logged[0];
}

TEST_F(ProtocolTest, DirectoryListsNamesEachWithNul) {
  one(dom0, MessageType::Write, "/d/b\0"s);
  one(dom0, MessageType::Write, "/d/a\0"s);
  EXPECT_EQ(one(dom0, MessageType::Directory, "/d\0"s).payload, "b\0a\0"s);
  EXPECT_EQ(one(dom0, MessageType::Directory, "/d/a\0"s).payload, "");
}

TEST_F(ProtocolTest, DirectoryTooLargeForOneReplyIsTooBig) {
  for (int i = 0; i < 500; ++i) one(dom0, MessageType::Write, "/big/child" + std::to_string(1000 + i) + "\0"s);
  EXPECT_EQ(error_of(dom0, MessageType::Directory, "/big\0"s), "E2BIG");
}

TEST_F(ProtocolTest, DirectoryPartPagesReassembleTheListing) {
  std::string expected;
  for (int i = 0; i < 500; ++i) {
    const std::string name = "child" + std::to_string(1000 + i);
    one(dom0, MessageType::Write, "/big/" + name + "\0"s);
    expected += name + "\0"s;
  }
  std::string joined;
  std::string generation;
  for (int parts = 0; parts < 10; ++parts) {
    const Message m = one(dom0, MessageType::DirectoryPart, "/big\0"s + std::to_string(joined.size()) + "\0"s);
    ASSERT_EQ(m.header.type, type_of(MessageType::DirectoryPart));
    ASSERT_LE(m.payload.size(), kMaxPayload);
    const std::size_t nul = m.payload.find('\0');
    if (generation.empty()) generation = m.payload.substr(0, nul);
    EXPECT_EQ(m.payload.substr(0, nul), generation);
    const std::string chunk = m.payload.substr(nul + 1);
    if (chunk.size() >= 1 && chunk.back() == '\0' && (chunk.size() == 1 || chunk[chunk.size() - 2] == '\0')) {
      joined += chunk.substr(0, chunk.size() - 1);  // final part ends with an extra NUL
      break;
    }
    joined += chunk;
  }
  EXPECT_EQ(joined, expected);
}

TEST_F(ProtocolTest, DirectoryPartPastTheEndIsEmpty) {
  one(dom0, MessageType::Write, "/d/a\0"s);
  const Message m = one(dom0, MessageType::DirectoryPart, "/d\0"s "100\0"s);
  EXPECT_EQ(m.payload.substr(m.payload.find('\0')), "\0\0"s);
}

TEST_F(ProtocolTest, DirectoryPartGenerationChangesWithTheDirectory) {
  one(dom0, MessageType::Write, "/d/a\0"s);
  const std::string before = one(dom0, MessageType::DirectoryPart, "/d\0" "0\0"s).payload;
  one(dom0, MessageType::Write, "/d/b\0"s);
  const std::string after = one(dom0, MessageType::DirectoryPart, "/d\0" "0\0"s).payload;
  EXPECT_NE(before.substr(0, before.find('\0')), after.substr(0, after.find('\0')));
}

TEST_F(ProtocolTest, DirectoryPartWithoutOffsetIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::DirectoryPart, "/\0"s), "EINVAL");
}

TEST_F(ProtocolTest, DirectoryPartWithBadOffsetIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::DirectoryPart, "/\0x\0"s), "EINVAL");
}

TEST_F(ProtocolTest, GetPermissionsFormatsEntries) {
  one(dom0, MessageType::Write, "/p\0"s);
  one(dom0, MessageType::SetPermissions, "/p\0b5\0r0\0n7\0"s);
  EXPECT_EQ(one(dom0, MessageType::GetPermissions, "/p\0"s).payload, "b5\0r0\0n7\0"s);
}

TEST_F(ProtocolTest, MkdirAndRemove) {
  EXPECT_EQ(one(dom0, MessageType::Mkdir, "/m/k\0"s).payload, kOk);
  EXPECT_EQ(one(dom0, MessageType::Remove, "/m\0"s).payload, kOk);
  EXPECT_EQ(error_of(dom0, MessageType::Read, "/m\0"s), "ENOENT");
}

TEST_F(ProtocolTest, RemoveOfRootIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Remove, "/\0"s), "EINVAL"); }

TEST_F(ProtocolTest, WatchRepliesOkThenSendsTheFirstEvent) {
  const std::vector<Message> out = send(dom0, MessageType::Watch, "/w\0tok\0"s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].header.type, type_of(MessageType::Watch));
  EXPECT_EQ(out[0].payload, kOk);
  EXPECT_EQ(out[1].header.type, type_of(MessageType::WatchEvent));
  EXPECT_EQ(out[1].payload, "/w\0tok\0"s);
}

TEST_F(ProtocolTest, OwnChangesFireBeforeTheReply) {
  send(dom0, MessageType::Watch, "/w\0tok\0"s);
  const std::vector<Message> out = send(dom0, MessageType::Write, "/w/x\0v"s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].header.type, type_of(MessageType::WatchEvent));
  EXPECT_EQ(out[0].payload, "/w/x\0tok\0"s);
  EXPECT_EQ(out[1].header.type, type_of(MessageType::Write));
}

TEST_F(ProtocolTest, OtherConnectionsEventsWaitInTheirQueue) {
  const ConnectionId watcher = store.connect(0);
  send(watcher, MessageType::Watch, "/w\0tok\0"s);
  send(dom0, MessageType::Write, "/w\0v"s);
  std::vector<Message> drained;
  protocol.drain_events(watcher, drained);
  ASSERT_EQ(drained.size(), 1u);
  EXPECT_EQ(drained[0].payload, "/w\0tok\0"s);
}

TEST_F(ProtocolTest, DrainEventsHonoursTheLimit) {
  const ConnectionId watcher = store.connect(0);
  send(watcher, MessageType::Watch, "/w\0tok\0"s);
  for (int i = 0; i < 5; ++i) send(dom0, MessageType::Write, "/w/" + std::to_string(i) + "\0v"s);
  std::vector<Message> drained;
  protocol.drain_events(watcher, drained, 2);
  EXPECT_EQ(drained.size(), 2u);
  EXPECT_EQ(store.events(watcher).size(), 3u);
}

TEST_F(ProtocolTest, UnwatchAndResetWatches) {
  send(dom0, MessageType::Watch, "/w\0tok\0"s);
  EXPECT_EQ(one(dom0, MessageType::Unwatch, "/w\0tok\0"s).payload, kOk);
  EXPECT_EQ(error_of(dom0, MessageType::Unwatch, "/w\0tok\0"s), "ENOENT");
  send(dom0, MessageType::Watch, "/w\0tok\0"s);
  EXPECT_EQ(one(dom0, MessageType::ResetWatches, "").payload, kOk);
  EXPECT_EQ(store.watch_count(dom0), 0u);
}

TEST_F(ProtocolTest, DuplicateWatchIsExists) {
  send(dom0, MessageType::Watch, "/w\0tok\0"s);
  EXPECT_EQ(error_of(dom0, MessageType::Watch, "/w\0tok\0"s), "EEXIST");
}

TEST_F(ProtocolTest, TransactionStartReturnsDecimalIdWithNul) {
  const Message m = one(dom0, MessageType::TransactionStart, "\0"s);
  EXPECT_EQ(m.payload, "1\0"s);
  EXPECT_EQ(one(dom0, MessageType::TransactionStart, "").payload, "2\0"s);  // payload is ignored
}

TEST_F(ProtocolTest, TransactionCommit) {
  const TransactionId tx = start(dom0);
  one(dom0, MessageType::Write, "/t\0v"s, tx);
  EXPECT_EQ(error_of(dom0, MessageType::Read, "/t\0"s), "ENOENT");
  EXPECT_EQ(one(dom0, MessageType::TransactionEnd, "T\0"s, tx).payload, kOk);
  EXPECT_EQ(one(dom0, MessageType::Read, "/t\0"s).payload, "v");
}

TEST_F(ProtocolTest, TransactionAbort) {
  const TransactionId tx = start(dom0);
  one(dom0, MessageType::Write, "/t\0v"s, tx);
  EXPECT_EQ(one(dom0, MessageType::TransactionEnd, "F\0"s, tx).payload, kOk);
  EXPECT_EQ(error_of(dom0, MessageType::Read, "/t\0"s), "ENOENT");
}

TEST_F(ProtocolTest, TransactionConflictIsEagain) {
  one(dom0, MessageType::Write, "/t\0v"s);
  const TransactionId tx = start(dom0);
  one(dom0, MessageType::Read, "/t\0"s, tx);
  one(dom0, MessageType::Write, "/t\0w"s);
  EXPECT_EQ(error_of(dom0, MessageType::TransactionEnd, "T\0"s, tx), "EAGAIN");
}

TEST_F(ProtocolTest, TransactionEventsFollowTheCommitReplyOrder) {
  send(dom0, MessageType::Watch, "/w\0tok\0"s);
  const TransactionId tx = start(dom0);
  EXPECT_EQ(send(dom0, MessageType::Write, "/w\0v"s, tx).size(), 1u);  // no event yet
  const std::vector<Message> out = send(dom0, MessageType::TransactionEnd, "T\0"s, tx);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].header.type, type_of(MessageType::WatchEvent));
  EXPECT_EQ(out[1].header.type, type_of(MessageType::TransactionEnd));
}

TEST_F(ProtocolTest, GetDomainPath) {
  EXPECT_EQ(one(dom0, MessageType::GetDomainPath, "5\0"s).payload, "/local/domain/5\0"s);
}

TEST_F(ProtocolTest, IsDomainIntroduced) {
  EXPECT_EQ(one(dom0, MessageType::IsDomainIntroduced, "0\0"s).payload, "T\0"s);
  EXPECT_EQ(one(dom0, MessageType::IsDomainIntroduced, "5\0"s).payload, "F\0"s);
}

TEST_F(ProtocolTest, IntroduceReleaseAndResume) {
  EXPECT_EQ(error_of(dom0, MessageType::Resume, "5\0"s), "ENOENT");
  EXPECT_EQ(one(dom0, MessageType::Introduce, "5\0" "1234\0" "7\0"s).payload, kOk);
  EXPECT_EQ(one(dom0, MessageType::IsDomainIntroduced, "5\0"s).payload, "T\0"s);
  EXPECT_EQ(one(dom0, MessageType::Resume, "5\0"s).payload, kOk);
  EXPECT_EQ(one(dom0, MessageType::Release, "5\0"s).payload, kOk);
  EXPECT_EQ(one(dom0, MessageType::IsDomainIntroduced, "5\0"s).payload, "F\0"s);
  EXPECT_EQ(error_of(dom0, MessageType::Release, "5\0"s), "ENOENT");
}

TEST_F(ProtocolTest, SetTarget) {
  one(dom0, MessageType::Introduce, "5\0" "1\0" "1\0"s);
  one(dom0, MessageType::Introduce, "9\0" "1\0" "1\0"s);
  EXPECT_EQ(one(dom0, MessageType::SetTarget, "9\0" "5\0"s).payload, kOk);
  EXPECT_EQ(error_of(dom0, MessageType::SetTarget, "9\0" "6\0"s), "ENOENT");
}

TEST_F(ProtocolTest, DomainManagementNeedsDomainZero) {
  const ConnectionId five = guest(5);
  EXPECT_EQ(error_of(five, MessageType::Introduce, "6\0" "1\0" "1\0"s), "EACCES");
  EXPECT_EQ(error_of(five, MessageType::Release, "0\0"s), "EACCES");
  EXPECT_EQ(error_of(five, MessageType::SetTarget, "5\0" "0\0"s), "EACCES");
}

TEST_F(ProtocolTest, ControlHelpListsCommands) {
  const Message m = one(dom0, MessageType::Control, "help\0"s);
  EXPECT_NE(m.payload.find("set-domid"), std::string::npos);
}

TEST_F(ProtocolTest, ControlMemoryReportsHeldAndPeakBytesPerDomain) {
  const ConnectionId watcher = store.connect(0);
  send(watcher, MessageType::Watch, "/w\0tok\0"s);
  send(dom0, MessageType::Write, "/w/a\0v"s);
  const std::size_t one_event = held_size(WatchEvent{"/w/a", "tok"});
  const std::string expected = "domain 0: " + std::to_string(one_event) + " bytes held, peak " +
                               std::to_string(one_event) + "\n";
  EXPECT_EQ(one(dom0, MessageType::Control, "memory\0"s).payload, expected + '\0');
  std::vector<Message> drained;
  protocol.drain_events(watcher, drained);
  EXPECT_EQ(one(dom0, MessageType::Control, "memory\0"s).payload,
            "domain 0: 0 bytes held, peak " + std::to_string(one_event) + "\n" + '\0');
}

TEST_F(ProtocolTest, ControlPrintLogs) {
  EXPECT_EQ(one(dom0, MessageType::Control, "print\0hello there\0"s).payload, kOk);
  EXPECT_EQ(logged, (std::vector<std::string>{"hello there"}));
}

TEST_F(ProtocolTest, ControlSetDomidMakesTheConnectionAGuest) {
  EXPECT_EQ(one(dom0, MessageType::Control, "set-domid\0" "5\0"s).payload, kOk);
  EXPECT_EQ(store.domain_of(dom0), 5);
  EXPECT_EQ(error_of(dom0, MessageType::Read, "/tool\0"s), "EACCES");
  EXPECT_EQ(error_of(dom0, MessageType::Control, "set-domid\0" "0\0"s), "EACCES");  // no way back
}

TEST_F(ProtocolTest, ControlSetDomidWithOpenTransactionIsBusy) {
  start(dom0);
  EXPECT_EQ(error_of(dom0, MessageType::Control, "set-domid\0" "5\0"s), "EBUSY");
}

TEST_F(ProtocolTest, ControlFromAGuestIsDenied) {
  const ConnectionId five = guest(5);
  EXPECT_EQ(error_of(five, MessageType::Control, "help\0"s), "EACCES");
}

TEST_F(ProtocolTest, UnknownControlCommandIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Control, "frobnicate\0"s), "EINVAL");
}

TEST_F(ProtocolTest, ControlWithWrongArgumentCountIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Control, "set-domid\0"s), "EINVAL");
}

TEST_F(ProtocolTest, QuotaErrorsReachTheWire) {
  Quotas q;
  q.watches_per_domain = 1;
  Store small(q);
  Protocol p(small);
  const ConnectionId guest_id = small.connect(3);
  std::vector<Message> out;
  p.handle(guest_id, Message{Header{type_of(MessageType::Watch), 0, 0, 0}, "/a\0t\0"s}, out);
  out.clear();
  p.handle(guest_id, Message{Header{type_of(MessageType::Watch), 0, 0, 0}, "/b\0t\0"s}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "E2BIG\0"s);
}

// --- malformed input: one test per case ------------------------------------------------------

TEST_F(ProtocolTest, UnknownTypeIsEnosys) { EXPECT_EQ(error_of(dom0, 99, "x\0"s), "ENOSYS"); }
TEST_F(ProtocolTest, RemovedRestrictTypeIsEnosys) { EXPECT_EQ(error_of(dom0, 20, ""), "ENOSYS"); }
TEST_F(ProtocolTest, TypeCountIsEnosys) { EXPECT_EQ(error_of(dom0, 23, ""), "ENOSYS"); }
TEST_F(ProtocolTest, InvalidTypeMarkerIsEnosys) { EXPECT_EQ(error_of(dom0, 0xffff, ""), "ENOSYS"); }
TEST_F(ProtocolTest, HugeTypeIsEnosys) { EXPECT_EQ(error_of(dom0, 0xffffffffu, ""), "ENOSYS"); }

TEST_F(ProtocolTest, ClientSentWatchEventIsEnosys) {
  EXPECT_EQ(error_of(dom0, MessageType::WatchEvent, "/a\0t\0"s), "ENOSYS");
}

TEST_F(ProtocolTest, ClientSentErrorIsEnosys) { EXPECT_EQ(error_of(dom0, MessageType::Error, "EINVAL\0"s), "ENOSYS"); }

TEST_F(ProtocolTest, ReadWithoutNulIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Read, "/tool"), "EINVAL"); }
TEST_F(ProtocolTest, ReadWithEmptyPayloadIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Read, ""), "EINVAL"); }
TEST_F(ProtocolTest, ReadOfEmptyPathIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Read, "\0"s), "EINVAL"); }

TEST_F(ProtocolTest, ReadWithTrailingBytesIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Read, "/tool\0extra"s), "EINVAL");
}

TEST_F(ProtocolTest, ReadWithTwoPathsIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Read, "/tool\0/tool\0"s), "EINVAL");
}

TEST_F(ProtocolTest, ReadWithInvalidPathIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Read, "/tool/\0"s), "EINVAL");
}

TEST_F(ProtocolTest, DirectoryWithoutNulIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Directory, "/"), "EINVAL"); }
TEST_F(ProtocolTest, GetPermsWithoutNulIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::GetPermissions, "/"), "EINVAL"); }
TEST_F(ProtocolTest, WriteWithoutNulIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Write, "/nonul"), "EINVAL"); }
TEST_F(ProtocolTest, WriteWithEmptyPathIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Write, "\0v"s), "EINVAL"); }

TEST_F(ProtocolTest, WriteWithTooLongPathIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Write, "/" + std::string(2048, 'a') + "\0v"s), "EINVAL");
}

TEST_F(ProtocolTest, MkdirWithTrailingBytesIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Mkdir, "/m\0extra"s), "EINVAL");
}

TEST_F(ProtocolTest, RemoveWithTrailingBytesIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Remove, "/m\0extra"s), "EINVAL");
}

TEST_F(ProtocolTest, WatchWithOneArgumentIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Watch, "/w\0"s), "EINVAL"); }
TEST_F(ProtocolTest, WatchWithoutFinalNulIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Watch, "/w\0t"s), "EINVAL"); }

TEST_F(ProtocolTest, WatchWithThreeArgumentsIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Watch, "/w\0t\0x\0"s), "EINVAL");
}

TEST_F(ProtocolTest, WatchWithInvalidPathIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Watch, "w/\0t\0"s), "EINVAL");
}

TEST_F(ProtocolTest, UnwatchWithOneArgumentIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Unwatch, "/w\0"s), "EINVAL");
}

TEST_F(ProtocolTest, SetPermsWithoutEntriesIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::SetPermissions, "/tool\0"s), "EINVAL");
}

TEST_F(ProtocolTest, SetPermsWithBadLetterIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::SetPermissions, "/tool\0x0\0"s), "EINVAL");
}

TEST_F(ProtocolTest, SetPermsWithoutDomainIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::SetPermissions, "/tool\0r\0"s), "EINVAL");
}

TEST_F(ProtocolTest, SetPermsWithGarbageAfterDomainIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::SetPermissions, "/tool\0r0x\0"s), "EINVAL");
}

TEST_F(ProtocolTest, SetPermsWithoutFinalNulIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::SetPermissions, "/tool\0r0\0w1"s), "EINVAL");
}

TEST_F(ProtocolTest, SetPermsLeavesNodeUnchangedOnError) {
  send(dom0, MessageType::SetPermissions, "/tool\0b0\0bad\0"s);
  EXPECT_EQ(one(dom0, MessageType::GetPermissions, "/tool\0"s).payload, "n0\0"s);
}

TEST_F(ProtocolTest, GetDomainPathWithoutArgumentIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::GetDomainPath, ""), "EINVAL");
}

TEST_F(ProtocolTest, GetDomainPathWithoutNulIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::GetDomainPath, "1"), "EINVAL");
}

TEST_F(ProtocolTest, GetDomainPathWithTrailingBytesIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::GetDomainPath, "1\0x"s), "EINVAL");
}

TEST_F(ProtocolTest, GetDomainPathWithNonNumberIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::GetDomainPath, "x\0"s), "EINVAL");
}

TEST_F(ProtocolTest, GetDomainPathWithOutOfRangeIdIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::GetDomainPath, "70000\0"s), "EINVAL");
}

TEST_F(ProtocolTest, IsDomainIntroducedWithoutArgumentIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::IsDomainIntroduced, ""), "EINVAL");
}

TEST_F(ProtocolTest, IntroduceWithTwoArgumentsIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Introduce, "1\0" "2\0"s), "EINVAL");
}

TEST_F(ProtocolTest, IntroduceWithBadMfnIsInvalid) {
  EXPECT_EQ(error_of(dom0, MessageType::Introduce, "1\0" "x\0" "2\0"s), "EINVAL");
}

TEST_F(ProtocolTest, ReleaseOfDomainZeroIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Release, "0\0"s), "EINVAL"); }
TEST_F(ProtocolTest, ResumeOfDomainZeroIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Resume, "0\0"s), "EINVAL"); }
TEST_F(ProtocolTest, EmptyControlIsInvalid) { EXPECT_EQ(error_of(dom0, MessageType::Control, ""), "EINVAL"); }

TEST_F(ProtocolTest, TransactionEndWithBadArgumentIsInvalid) {
  const TransactionId tx = start(dom0);
  EXPECT_EQ(error_of(dom0, MessageType::TransactionEnd, "X\0"s, tx), "EINVAL");
}

TEST_F(ProtocolTest, TransactionEndWithoutNulIsInvalid) {
  const TransactionId tx = start(dom0);
  EXPECT_EQ(error_of(dom0, MessageType::TransactionEnd, "T", tx), "EINVAL");
}

TEST_F(ProtocolTest, TransactionEndWithEmptyPayloadIsInvalid) {
  const TransactionId tx = start(dom0);
  EXPECT_EQ(error_of(dom0, MessageType::TransactionEnd, "", tx), "EINVAL");
}

TEST_F(ProtocolTest, TransactionEndWithLongArgumentIsInvalid) {
  const TransactionId tx = start(dom0);
  EXPECT_EQ(error_of(dom0, MessageType::TransactionEnd, "TT\0"s, tx), "EINVAL");
  EXPECT_EQ(one(dom0, MessageType::TransactionEnd, "T\0"s, tx).payload, kOk);  // still open after EINVAL
}

TEST_F(ProtocolTest, TransactionEndWithoutTransactionIsNotFound) {
  EXPECT_EQ(error_of(dom0, MessageType::TransactionEnd, "T\0"s), "ENOENT");
}

TEST_F(ProtocolTest, UnknownTransactionIdIsNotFound) {
  EXPECT_EQ(error_of(dom0, MessageType::Read, "/\0"s, 4242), "ENOENT");
}

TEST_F(ProtocolTest, UnknownTransactionIdIsNotFoundEvenForDomainQueries) {
  EXPECT_EQ(error_of(dom0, MessageType::GetDomainPath, "1\0"s, 4242), "ENOENT");
}

TEST_F(ProtocolTest, WatchIgnoresTheTransactionId) {
  const std::vector<Message> out = send(dom0, MessageType::Watch, "/w\0t\0"s, 4242);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload, kOk);
}

TEST_F(ProtocolTest, TransactionStartInsideATransactionIsBusy) {
  const TransactionId tx = start(dom0);
  EXPECT_EQ(error_of(dom0, MessageType::TransactionStart, "\0"s, tx), "EBUSY");
}

TEST_F(ProtocolTest, TransactionStartWithUnknownIdIsNotFound) {
  EXPECT_EQ(error_of(dom0, MessageType::TransactionStart, "\0"s, 4242), "ENOENT");
}

TEST_F(ProtocolTest, ErrorsDoNotDisturbOtherConnections) {
  const ConnectionId other = store.connect(0);
  one(other, MessageType::Write, "/x\0v"s);
  send(dom0, 99, "garbage");
  send(dom0, MessageType::Write, "/bad/\0v"s);
  EXPECT_EQ(one(other, MessageType::Read, "/x\0"s).payload, "v");
}

}  // namespace
}  // namespace vgen::store
