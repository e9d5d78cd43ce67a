#include <array>
#include <vgen/store/client.hpp>

namespace vgen::store {

namespace {

// Every code whose wire name a reply can carry (Protocol is never sent).
constexpr std::array kWireCodes = {
    ErrorCode::Invalid,  ErrorCode::Access,       ErrorCode::Exists,   ErrorCode::IsDirectory,
    ErrorCode::NotFound, ErrorCode::NoMemory,     ErrorCode::NoSpace,  ErrorCode::IO,
    ErrorCode::NotEmpty, ErrorCode::NotSupported, ErrorCode::ReadOnly, ErrorCode::Busy,
    ErrorCode::Again,    ErrorCode::IsConnected,  ErrorCode::TooBig,   ErrorCode::NotPermitted,
};

std::string describe(const std::string& operation, const std::string& path, const std::string& errno_name,
                     std::string_view detail) {
  std::string text = operation;
  if (!path.empty()) text += " '" + path + "'";
  text += ": " + errno_name;
  if (!detail.empty()) text += " (" + std::string(detail) + ")";
  return text;
}

}  // namespace

ErrorCode error_code_for_name(std::string_view errno_name) noexcept {
  for (ErrorCode code : kWireCodes) {
    if (wire_name(code) == errno_name) return code;
  }
  return ErrorCode::Invalid;
}

ClientError::ClientError(std::string operation, std::string path, std::string errno_name, std::string_view detail)
    : Error(error_code_for_name(errno_name), describe(operation, path, errno_name, detail)),
      operation_(std::move(operation)),
      path_(std::move(path)),
      errno_name_(std::move(errno_name)) {}

std::optional<std::string> Client::try_read(std::string_view path, TransactionId tx) {
  try {
    return read(path, tx);
  } catch (const ClientError& error) {
    if (error.code() == ErrorCode::NotFound) return std::nullopt;
    throw;
  }
}

void run_transaction(Client& client, const std::function<void(TransactionId)>& body, int attempts) {
  for (int attempt = 1;; ++attempt) {
    const TransactionId tx = client.transaction_start();
    try {
      body(tx);
    } catch (...) {
      try {
        client.transaction_end(tx, false);
      } catch (const ClientError&) {
        // The body's failure is the one worth reporting.
      }
      throw;
    }
    try {
      client.transaction_end(tx, true);
      return;
    } catch (const ClientError& error) {
      if (error.code() != ErrorCode::Again || attempt >= attempts) throw;
    }
  }
}

}  // namespace vgen::store
