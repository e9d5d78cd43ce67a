#include "vgen/trace_view/attach.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>
#include <thread>

#include <vgen/trace/recorder.hpp>
#include <vgen/trace/signal_flush.hpp>
#include <vgen/virtqueue/error.hpp>
#include <vgen/virtqueue/ring_observer.hpp>

namespace vgen::trace_view {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void stop_attach(int) { g_stop.store(true); }

// The file, read with pread() at guest address - base; a read past its end fails.
class FileMemory final : public virtqueue::ObservedMemory {
 public:
  FileMemory(int fd, std::uint64_t base) : fd_(fd), base_(base) {}
  bool read(std::uint64_t address, std::span<std::byte> out) override {
    if (address < base_) return false;
    const std::uint64_t offset = address - base_;
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t got = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      done += static_cast<std::size_t>(got);
    }
    return true;
  }

 private:
  int fd_;
  std::uint64_t base_;
};

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

int attach(const AttachOptions& options, std::ostream& err) {
  virtqueue::ObservedRing ring;
  ring.size = options.queue_size;
  ring.queue = options.queue;
  ring.snap = options.snap;
  if (options.from_start) {
    ring.first_avail = 0;
    ring.first_used = 0;
  }
  // The largest snap length attach keeps (as VGEN_TRACE_SNAP allows for --trace).
  constexpr std::uint32_t kMaxSnap = 65536;
  if (options.snap > kMaxSnap) {
    err << "vgen trace attach: --snap " << options.snap << " is more than " << kMaxSnap << " bytes\n";
    return kAttachBadOptions;
  }
  if (!trace::valid_buffer_bytes(options.buffer_bytes)) {
    err << "vgen trace attach: --buffer " << options.buffer_bytes
        << " is not a power of two from 4096 to 1073741824 bytes\n";
    return kAttachBadOptions;
  }
  if (options.ring) {
    if (!virtqueue::valid_queue_size(options.queue_size)) {
      err << "vgen trace attach: --queue-size " << options.queue_size
          << " is not a power of two from 1 to 32768 (§2.7)\n";
      return kAttachBadOptions;
    }
    if (options.align == 0 || (options.align & (options.align - 1)) != 0) {
      err << "vgen trace attach: --align " << options.align << " is not a power of two\n";
      return kAttachBadOptions;
    }
    ring.addresses = virtqueue::contiguous_layout(*options.ring, options.queue_size, options.align);
  } else {
    ring.addresses = {*options.desc, *options.avail, *options.used};
  }
  const int fd = ::open(options.file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err << "vgen trace attach: cannot open '" << options.file << "': " << std::strerror(errno) << '\n';
    return kAttachNoFile;
  }
  FdCloser closer{fd};
  FileMemory memory(fd, options.base);
  std::unique_ptr<trace::Recorder> recorder;
  try {
    trace::RecorderOptions recording;
    recording.snap_length = options.snap;
    recording.application = "vgen trace attach";
    recording.mode = options.flight ? trace::RecorderMode::Flight : trace::RecorderMode::Stream;
    recording.buffer_bytes = options.buffer_bytes;
    recorder = std::make_unique<trace::Recorder>(options.log, recording);
  } catch (const std::exception& error) {
    err << "vgen trace attach: cannot write the log '" << options.log << "': " << error.what() << '\n';
    return kAttachNoFile;
  }
  std::unique_ptr<virtqueue::RingObserver> observer;
  try {
    observer = std::make_unique<virtqueue::RingObserver>(memory, *recorder, ring);
  } catch (const virtqueue::Error& error) {
    err << "vgen trace attach: " << options.file << ": " << error.what() << '\n';
    return kAttachBadOptions;
  }
  recorder->name_interface(trace::Channel::Virtqueue, options.queue, "observed in " + options.file);
  const trace::SignalFlush write_out(*recorder, {SIGUSR1});  // the log, written out on demand
  g_stop.store(false);
  std::signal(SIGINT, stop_attach);
  std::signal(SIGTERM, stop_attach);
  const auto start = std::chrono::steady_clock::now();
  int status = kAttachDone;
  try {
    for (;;) {
      observer->poll();
      if (options.count && observer->used_seen() >= *options.count) break;
      if (options.duration &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= *options.duration) {
        break;
      }
      if (g_stop.load()) break;
      std::this_thread::sleep_for(std::chrono::microseconds(options.interval_us));
    }
  } catch (const virtqueue::Error& error) {
    err << "vgen trace attach: " << options.file << ": " << error.what() << '\n';
    status = kAttachRingLost;
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  recorder->flush();
  err << "vgen trace attach: " << observer->avail_seen() << " avail and " << observer->used_seen()
      << " used entries seen, " << observer->missed() << " missed";
  if (const std::uint64_t overwritten = recorder->statistics().overwritten; overwritten != 0) {
    err << "; the log holds the latest records, " << overwritten << " older ones overwritten";
  }
  err << '\n';
  return status;
}

}  // namespace vgen::trace_view
