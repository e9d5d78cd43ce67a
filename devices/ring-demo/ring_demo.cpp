// vgen-ring-demo: a driver and a device in two processes exchange request/response buffers
// over a split virtqueue in shared memory and print what crossed the ring.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "ring_pair.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Runs a virtio-style driver and device as two processes over one split virtqueue."};
  vgen::demo::PairOptions options;
  std::string notifier = "eventfd";
  app.add_option("--messages", options.messages, "request/response exchanges")->check(CLI::Range(1ull, 1ull << 40));
  app.add_option("--notifier", notifier, "how the sides notify each other")
      ->check(CLI::IsMember({"eventfd", "mailbox"}));
  app.add_option("--queue-size", options.queue_size, "virtqueue entries (power of two)");
  app.add_option("--payload", options.payload, "bytes per request and per response")->check(CLI::Range(24u, 65536u));
  app.add_option("--show", options.show, "print the first N exchanges");
  bool no_event_idx = false;
  app.add_flag("--no-event-idx", no_event_idx, "suppress notifications with flags instead of VIRTIO_F_EVENT_IDX");
  CLI11_PARSE(app, argc, argv);
  options.notifier = notifier == "mailbox" ? vgen::demo::NotifierKind::Mailbox : vgen::demo::NotifierKind::Eventfd;
  options.event_idx = !no_event_idx;
  options.on_exchange = [](const vgen::demo::Exchange& e) {
    std::printf("driver -> device  #%llu  \"%s\"\n", static_cast<unsigned long long>(e.sequence), e.request.c_str());
    std::printf("device -> driver  #%llu  \"%s\"  (used len %u)\n", static_cast<unsigned long long>(e.sequence),
                e.response.c_str(), e.used_length);
  };
  try {
    const auto r = vgen::demo::run_two_process_pair(options);
    const double per_message = r.messages ? static_cast<double>(r.kicks + r.interrupts) / r.messages : 0;
    std::printf("%llu messages over %s (queue %u, event idx %s): %.0f msgs/s, %llu kicks, %llu interrupts, "
                "%.4f notifications/msg\n",
                static_cast<unsigned long long>(r.messages), vgen::demo::to_string(options.notifier),
                options.queue_size, options.event_idx ? "on" : "off", r.messages / r.seconds,
                static_cast<unsigned long long>(r.kicks), static_cast<unsigned long long>(r.interrupts), per_message);
    std::printf("bytes checked: %llu bad requests, %llu bad responses; device exit status %d\n",
                static_cast<unsigned long long>(r.bad_requests), static_cast<unsigned long long>(r.bad_responses),
                r.device_exit_status);
    return (r.bad_requests == 0 && r.bad_responses == 0 && r.device_exit_status == 0 && r.messages == options.messages)
               ? 0
               : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vgen-ring-demo: error: %s\n", e.what());
    return 1;
  }
}
