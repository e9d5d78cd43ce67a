// The demo's traffic, shared by the generated driver bases: the messages they send and the
// lines they log, so that only what names the spec's queues and endpoints is generated.
#pragma once

#include <cstddef>
#include <cstdio>
#include <span>
#include <string>

namespace vgen::halves {

/// Demo message number `seed`: zeros, and seed + 1 in the first byte (the first field, when it
/// is little-endian), so each message is told apart in the logs of both halves.
template <class Message>
Message demo_message(int seed) {
  Message message{};
  reinterpret_cast<unsigned char*>(&message)[0] = static_cast<unsigned char>(seed + 1);
  return message;
}

/// One line of the demo's log, "<half>: <line>", flushed at once (the halves print
/// concurrently, and a forked half's buffer would otherwise be written twice).
inline void demo_log(const char* half, const std::string& line) {
  std::printf("%s: %s\n", half, line.c_str());
  std::fflush(stdout);
}

/// Sends `message` with `send` (a generated send function); when it went, logs
/// "driver: <what>: <describe(message)>". 1 when it went, 0 when not.
template <class Message, class Send>
int demo_send(const Message& message, const std::string& what, Send send) {
  if (!send(message)) return 0;
  demo_log("driver", what + ": " + describe(message));
  return 1;
}

/// demo_send() for a message followed by data: sends `message` and the first `most` bytes of
/// `text` with `send`, logs both.
template <class Message, class Send>
int demo_send_with_data(const Message& message, const std::string& text, std::size_t most, const std::string& what,
                        Send send) {
  const std::string data = text.substr(0, most);
  if (!send(message, std::as_bytes(std::span(data)))) return 0;
  demo_log("driver", what + ": " + describe(message) + " with \"" + data + "\"");
  return 1;
}

/// demo_send() for raw bytes: sends the bytes of `text`, logs it quoted.
template <class Send>
int demo_send_text(const std::string& text, const std::string& what, Send send) {
  if (!send(std::as_bytes(std::span(text)))) return 0;
  demo_log("driver", what + ": \"" + text + "\"");
  return 1;
}

}  // namespace vgen::halves
