// Fuzzes the trace log reader (LogReader): pcapng blocks, interfaces, records and the group
// records that hold records. Any outcome but records and then the end or a trace::Error is a
// bug. Checked on every record handed out: it is never a group, its views lie inside what was
// read (every byte is read, for the sanitizers), it stores no more descriptors than the format
// allows nor more payload than its whole length.
//
// Input: [0] bit 0 the shape: 0 the rest is the whole file; 1 the rest is the data of one
// packet on a vgen interface, after a valid section header and interface description, whose
// original length is the data's plus [1] (so that records and groups are reached at once).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <vgen/trace/error.hpp>
#include <vgen/trace/log_reader.hpp>

using namespace vgen;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  out.insert(out.end(), p, p + 4);
}

// A section header, a vgen interface and one packet holding `data`.
std::vector<std::uint8_t> one_packet(const std::uint8_t* data, std::size_t size, std::uint32_t extra) {
  std::vector<std::uint8_t> out;
  const std::uint32_t section[] = {0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0xffffffff, 0xffffffff, 28};
  for (std::uint32_t word : section) put32(out, word);
  const std::uint32_t interface[] = {1, 20, 147, 0, 20};
  for (std::uint32_t word : interface) put32(out, word);
  const std::uint32_t padded = static_cast<std::uint32_t>((size + 3) & ~std::size_t{3});
  const std::uint32_t total = 32 + padded;
  const std::uint32_t packet[] = {
      6, total, 0, 0, 1, static_cast<std::uint32_t>(size), static_cast<std::uint32_t>(size) + extra};
  for (std::uint32_t word : packet) put32(out, word);
  out.insert(out.end(), data, data + size);
  out.resize(out.size() + (padded - size), 0);
  put32(out, total);
  return out;
}

std::uint64_t touch(std::span<const std::byte> bytes) {
  std::uint64_t sum = 0;
  for (std::byte b : bytes) sum += static_cast<std::uint8_t>(b);
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::vector<std::uint8_t> file =
      (data[0] & 1) != 0 ? one_packet(data + 2, size - 2, data[1]) : std::vector<std::uint8_t>(data + 1, data + size);
  const int fd = memfd_create("vgen-trace-log-fuzz", 0);
  check(fd >= 0);
  check(write(fd, file.data(), file.size()) == static_cast<ssize_t>(file.size()));
  std::uint64_t sum = 0;
  try {
    trace::LogReader reader("/proc/self/fd/" + std::to_string(fd));
    while (const trace::LogRecord* r = reader.next()) {
      const trace::Record& record = r->record;
      check(record.kind != trace::EventKind::Group);
      check(record.descriptor_count() <= trace::kMaxRecordedDescriptors);
      check(record.descriptor_count() <= record.chain_descriptors);
      check(record.payload.size() <= record.payload_length);
      check(r->interface < reader.interfaces().size());
      for (std::size_t i = 0; i < record.descriptor_count(); ++i) sum += record.descriptor(i).length;
      sum += touch(record.payload);
    }
  } catch (const trace::Error&) {
    // refused, with its reason: the expected outcome for most inputs
  }
  close(fd);
  return static_cast<int>(sum & 0);
}
