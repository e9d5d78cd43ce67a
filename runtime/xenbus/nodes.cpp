#include <vgen/xenbus/nodes.hpp>

namespace vgen::xenbus {

namespace {

std::string quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 15];
    }
  }
  return out + "'";
}

}  // namespace

std::string read_required(store::Client& client, const std::string& path, store::TransactionId tx) {
  std::optional<std::string> value = client.try_read(path, tx);
  if (!value) throw Error(ErrorCode::MissingNode, "node '" + path + "' is missing");
  return std::move(*value);
}

std::uint64_t parse_number(std::string_view value, std::string_view path, std::uint64_t maximum) {
  const auto bad = [&](const std::string& why) {
    return Error(ErrorCode::BadValue, "node '" + std::string(path) + "' holds " + quoted(value) + ": " + why +
                                          " (expected a decimal number 0.." + std::to_string(maximum) + ")");
  };
  if (value.empty()) throw bad("empty");
  if (value.size() > 1 && value[0] == '0') throw bad("leading zero");
  std::uint64_t number = 0;
  for (char c : value) {
    if (c < '0' || c > '9') throw bad("not a decimal number");
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (digit > maximum || number > (maximum - digit) / 10) throw bad("out of range");
    number = number * 10 + digit;
  }
  return number;
}

std::uint64_t read_number(store::Client& client, const std::string& path, std::uint64_t maximum,
                          store::TransactionId tx) {
  return parse_number(read_required(client, path, tx), path, maximum);
}

std::optional<State> read_state(store::Client& client, const std::string& path, store::TransactionId tx) {
  std::optional<std::string> value = client.try_read(path, tx);
  if (!value) return std::nullopt;
  return parse_state(*value, path);
}

}  // namespace vgen::xenbus
