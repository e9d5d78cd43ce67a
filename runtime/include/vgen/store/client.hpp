// The store client boundary: what a program (a Xenbus driver, a toolstack) needs from a
// XenStore, independent of where the store lives. Two implementations:
//   - LocalClient (local_client.hpp): a connection to an in-process Store;
//   - WireClient (wire_client.hpp): the XenStore wire protocol of xs_wire.h over a Unix
//     socket, e.g. to vgen-xenstored.
// Both act as one domain, report failures as ClientError, and deliver watch events to
// callbacks on a thread of their own (watch_dispatcher.hpp), so a callback may call the
// client again.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <vgen/store/domain.hpp>
#include <vgen/store/editor.hpp>
#include <vgen/store/error.hpp>
#include <vgen/store/permissions.hpp>
#include <vgen/store/store.hpp>

namespace vgen::store {

/// Receives one watch event: the changed path (as the daemon reports it) and the token.
using WatchCallback = std::function<void(const std::string& path, const std::string& token)>;

/// Transaction id meaning "outside any transaction".
inline constexpr TransactionId kNoTransaction = 0;

/// The ErrorCode of an errno name from an XS_ERROR reply (the inverse of wire_name()).
/// Unknown names map to Invalid, as libxenstore maps them to EINVAL.
ErrorCode error_code_for_name(std::string_view errno_name) noexcept;

/// The one error type of every client: which operation failed, on which path (empty for
/// path-less operations), and the errno name the store answered ("ENOENT", "EAGAIN"...).
/// code() is the matching ErrorCode, so callers can test for Again/NotFound.
class ClientError : public Error {
 public:
  /// `detail` is extra text the store gave (an in-process store gives the full reason).
  ClientError(std::string operation, std::string path, std::string errno_name, std::string_view detail = {});

  /// "READ", "WRITE", "TRANSACTION_END"... (xs_wire.h names without "XS_").
  const std::string& operation() const noexcept { return operation_; }
  /// The path the operation was about, or empty.
  const std::string& path() const noexcept { return path_; }
  /// The errno name from the store ("EIO" when the connection itself failed).
  const std::string& errno_name() const noexcept { return errno_name_; }

 private:
  std::string operation_;
  std::string path_;
  std::string errno_name_;
};

/// A connection to a store, acting as one domain. Operations take the transaction they
/// belong to (kNoTransaction for none). Thread-safe: any thread may call any operation.
class Client {
 public:
  virtual ~Client() = default;
  Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// The domain this connection acts as.
  virtual DomainId domain() const noexcept = 0;

  /// The node's value. ENOENT if absent.
  virtual std::string read(std::string_view path, TransactionId tx = kNoTransaction) = 0;
  /// Sets the node's value, creating it and missing parents.
  virtual void write(std::string_view path, std::string_view value, TransactionId tx = kNoTransaction) = 0;
  /// Creates an empty node unless it exists.
  virtual void mkdir(std::string_view path, TransactionId tx = kNoTransaction) = 0;
  /// Removes the node and its subtree.
  virtual void remove(std::string_view path, TransactionId tx = kNoTransaction) = 0;
  /// The names of the node's children.
  virtual std::vector<std::string> directory(std::string_view path, TransactionId tx = kNoTransaction) = 0;
  /// The node's permissions, owner first.
  virtual Permissions get_permissions(std::string_view path, TransactionId tx = kNoTransaction) = 0;
  /// Replaces the node's permissions (owner first).
  virtual void set_permissions(std::string_view path, const Permissions& permissions,
                               TransactionId tx = kNoTransaction) = 0;

  /// Registers a watch on `path` (and its subtree). `callback` receives every event whose
  /// token is `token`, starting with the one XenStore fires at registration. Tokens are
  /// unique per client: a token already registered is ClientError EEXIST (client-side).
  virtual void watch(std::string_view path, std::string_view token, WatchCallback callback) = 0;
  /// Removes the watch. Once this returns (on any thread but the callback's own), the
  /// callback is not running and will not run again.
  virtual void unwatch(std::string_view path, std::string_view token) = 0;

  /// Opens a transaction.
  virtual TransactionId transaction_start() = 0;
  /// Commits (`commit` true) or aborts it. A conflicting commit is ClientError EAGAIN.
  virtual void transaction_end(TransactionId tx, bool commit) = 0;

  // Convenience built on the operations above.

  /// The value, or nullopt if the node does not exist (other errors still throw).
  std::optional<std::string> try_read(std::string_view path, TransactionId tx = kNoTransaction);
  /// True if the node exists.
  bool exists(std::string_view path, TransactionId tx = kNoTransaction) { return try_read(path, tx).has_value(); }
};

/// Declares Client's store operations (read() to transaction_end()) as overrides, in a client
/// that implements every one of them, so that their list is written once, here.
#define VGEN_STORE_CLIENT_OPERATIONS                                                                                 \
  std::string read(std::string_view path, ::vgen::store::TransactionId tx = ::vgen::store::kNoTransaction) override; \
  void write(std::string_view path, std::string_view value,                                                          \
             ::vgen::store::TransactionId tx = ::vgen::store::kNoTransaction) override;                              \
  void mkdir(std::string_view path, ::vgen::store::TransactionId tx = ::vgen::store::kNoTransaction) override;       \
  void remove(std::string_view path, ::vgen::store::TransactionId tx = ::vgen::store::kNoTransaction) override;      \
  std::vector<std::string> directory(std::string_view path,                                                          \
                                     ::vgen::store::TransactionId tx = ::vgen::store::kNoTransaction) override;      \
  ::vgen::store::Permissions get_permissions(                                                                        \
      std::string_view path, ::vgen::store::TransactionId tx = ::vgen::store::kNoTransaction) override;              \
  void set_permissions(std::string_view path, const ::vgen::store::Permissions& permissions,                         \
                       ::vgen::store::TransactionId tx = ::vgen::store::kNoTransaction) override;                    \
  void watch(std::string_view path, std::string_view token, ::vgen::store::WatchCallback callback) override;         \
  void unwatch(std::string_view path, std::string_view token) override;                                              \
  ::vgen::store::TransactionId transaction_start() override;                                                         \
  void transaction_end(::vgen::store::TransactionId tx, bool commit) override;

/// Runs `body` in a fresh transaction and commits it, starting over when the commit fails
/// with EAGAIN (as Xen's drivers do), up to `attempts` times; the last EAGAIN is rethrown.
/// Any exception from `body` aborts the transaction and propagates.
void run_transaction(Client& client, const std::function<void(TransactionId)>& body, int attempts = 100);

}  // namespace vgen::store
