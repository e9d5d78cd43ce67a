#include <vgen/rpmsg/vrings.hpp>

namespace vgen::rpmsg {
namespace {

const SharedLayout& validated(const shm::GuestMemory& memory, const SharedLayout& layout) {
  layout.validate(memory);
  return layout;
}

}  // namespace

HostVrings::HostVrings(const shm::GuestMemory& memory, const SharedLayout& layout, Notifiers notifiers)
    : memory_(memory),
      layout_(validated(memory, layout)),
      notifiers_(notifiers),
      shared_(layout.feedback_in(memory)),
      link_(memory, layout.buffer_area(), notifiers.incoming) {
  build();
}

void HostVrings::build() {
  // Constructing a driver queue initialises its rings (§2.7.10.1), as a driver does after
  // every reset; the link then offers the receive buffers again.
  rx_.emplace(memory_, layout_.rx_queue());
  tx_.emplace(memory_, layout_.tx_queue());
  for (virtqueue::SplitDriverQueue* q : {&*rx_, &*tx_}) {
    q->set_notifier(notifiers_.outgoing);
    q->set_trace(trace_, trace_ends_);
    q->set_log(log_);
  }
  link_.attach(*rx_, *tx_);
}

void HostVrings::reset() {
  // The old queues go: the records of the chains they still hold back are made first.
  rx_->record_deferred();
  tx_->record_deferred();
  link_.detach();
  build();
}

void HostVrings::set_trace(trace::TraceSink* sink, trace::Ends ends) {
  trace_ = sink;
  trace_ends_ = ends;
  rx_->set_trace(sink, ends);
  tx_->set_trace(sink, ends);
}

void HostVrings::set_log(virtqueue::LogSink sink) {
  log_ = std::move(sink);
  rx_->set_log(log_);
  tx_->set_log(log_);
}

RemoteVrings::RemoteVrings(const shm::GuestMemory& memory, const SharedLayout& layout, Notifiers notifiers,
                           RemoteLinkOptions options)
    : shared_(validated(memory, layout).feedback_in(memory)),
      host_rx_(memory, layout.rx_queue()),
      host_tx_(memory, layout.tx_queue()),
      link_(host_rx_, host_tx_, layout.buffer_size, notifiers.incoming, options) {
  host_rx_.set_notifier(notifiers.outgoing);
  host_tx_.set_notifier(notifiers.outgoing);
}

void RemoteVrings::set_trace(trace::TraceSink* sink, trace::Ends ends) {
  host_rx_.set_trace(sink, ends);
  host_tx_.set_trace(sink, ends);
}

}  // namespace vgen::rpmsg
