// libFuzzer target: arbitrary bytes from three clients (two of domain 0, one guest) through
// the frame decoder, the protocol and the store. Checks the reply invariants on every
// request; any crash, sanitizer report or broken invariant is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <vgen/store/error.hpp>
#include <vgen/store/protocol.hpp>
#include <vgen/store/wire.hpp>

namespace {

using namespace vgen::store;

struct Client {
  ConnectionId id = 0;
  FrameDecoder decoder;
};

void check(bool condition) {
  if (!condition) std::abort();
}

void check_reply(const Message& request, const std::vector<Message>& out) {
  bool seen_reply = false;
  for (const Message& m : out) {
    check(m.payload.size() <= kMaxPayload);
    if (m.header.type == static_cast<std::uint32_t>(MessageType::WatchEvent) && m.header.req_id == 0 &&
        m.header.tx_id == 0 && request.header.type != m.header.type) {
      continue;
    }
    check(!seen_reply);
    seen_reply = true;
    check(m.header.type == request.header.type || m.header.type == static_cast<std::uint32_t>(MessageType::Error));
    check(m.header.req_id == request.header.req_id);
    check(m.header.tx_id == request.header.tx_id);
  }
  check(seen_reply);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Quotas quotas;
  quotas.nodes_per_domain = 20;
  quotas.watches_per_domain = 4;
  quotas.transactions_per_domain = 2;
  quotas.nodes_per_transaction = 16;
  quotas.event_queue = EventQueueLimits{8, 1024, 4096};
  Store store(quotas);
  Protocol protocol(store);
  Client clients[3];
  clients[0].id = store.connect(0);
  clients[1].id = store.connect(0);
  store.write(clients[0].id, 0, "/local/domain/5", "");
  store.set_permissions(clients[0].id, 0, "/local/domain/5", Permissions{{5, Access::None}});
  clients[2].id = store.connect(5);
  const DomainId domains[3] = {0, 0, 5};

  // Input: repeated [selector byte][length byte][that many bytes for the chosen client].
  std::size_t at = 0;
  std::vector<Message> out;
  while (at + 2 <= size) {
    Client& client = clients[data[at] % 3];
    const DomainId domain = domains[data[at] % 3];
    const std::size_t length = std::min<std::size_t>(data[at + 1], size - at - 2);
    client.decoder.feed(std::string_view(reinterpret_cast<const char*>(data + at + 2), length));
    at += 2 + length;
    for (;;) {
      std::optional<Message> request;
      try {
        request = client.decoder.next();
      } catch (const Error& error) {
        check(error.code() == ErrorCode::Protocol);
        store.disconnect(client.id);
        client = Client{};
        client.id = store.connect(domain);
        break;
      }
      if (!request) break;
      out.clear();
      protocol.handle(client.id, *request, out);
      check_reply(*request, out);
      for (const Message& m : out) encode(m);  // every reply must be encodable
    }
    for (ConnectionId overflowed : store.take_overflowed()) {
      for (std::size_t i = 0; i < 3; ++i) {
        if (clients[i].id != overflowed) continue;
        store.disconnect(overflowed);
        clients[i] = Client{};
        clients[i].id = store.connect(domains[i]);
      }
    }
    for (ConnectionId notified : store.take_notified()) {
      if (!store.connected(notified)) continue;
      std::vector<Message> events;
      protocol.drain_events(notified, events, data[at % size] % 4);
    }
  }
  return 0;
}
