// Helpers shared by the store tests: checking the code of a thrown store::Error and a
// fixture with a store, a domain-0 connection and guest connections.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include <vgen/store/error.hpp>
#include <vgen/store/store.hpp>

namespace vgen::store {

inline std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << wire_name(code); }

inline std::ostream& operator<<(std::ostream& out, const WatchEvent& event) {
  return out << "{" << event.path << ", " << event.token << "}";
}

/// What a call threw: nothing, or a store::Error's code and message.
struct Caught {
  bool thrown = false;
  ErrorCode code = ErrorCode::Invalid;
  std::string message;
};

template <class F>
Caught catch_error(F&& f) {
  try {
    f();
  } catch (const Error& error) {
    return Caught{true, error.code(), error.what()};
  }
  return Caught{};
}

/// Expects `statement` to throw store::Error with `expected` code.
#define EXPECT_STORE_ERROR(statement, expected)                                       \
  do {                                                                                \
    const ::vgen::store::Caught caught_ = ::vgen::store::catch_error([&] { statement; }); \
    EXPECT_TRUE(caught_.thrown) << #statement " did not throw";                       \
    if (caught_.thrown) {                                                             \
      EXPECT_EQ(caught_.code, expected) << caught_.message;                           \
    }                                                                                 \
  } while (0)

/// A store with a domain-0 connection; guests get a home directory they own.
class StoreTest : public ::testing::Test {
 protected:
  explicit StoreTest(Quotas quotas = {}) : store(quotas) {}

  /// Creates /local/domain/<domid> owned by `domid` (as a toolstack does) and connects as it.
  ConnectionId guest(DomainId domid) {
    const std::string home = domain_path(domid);
    store.write(dom0, 0, home, "");
    store.set_permissions(dom0, 0, home, Permissions{{domid, Access::None}});
    return store.connect(domid);
  }

  /// Takes every queued watch event of `id`.
  std::vector<WatchEvent> events(ConnectionId id) {
    std::vector<WatchEvent> out;
    while (auto event = store.take_event(id)) out.push_back(*event);
    return out;
  }

  Store store;
  ConnectionId dom0 = store.connect(kPrivilegedDomain);
};

}  // namespace vgen::store
