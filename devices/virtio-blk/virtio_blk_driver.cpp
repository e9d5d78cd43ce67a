// virtio-blk: the driver half's requests and replies.
#include "virtio_blk_driver.hpp"

#include <chrono>
#include <cstdio>

namespace virtio_blk {
namespace {

constexpr std::uint64_t kSector = 3;
constexpr std::uint32_t kBytes = 512;

void log(const std::string& line) {
  std::printf("driver: %s\n", line.c_str());
  std::fflush(stdout);
}

BlkRequestHeader header(BlkRequestType type, std::uint64_t sector) {
  BlkRequestHeader request;
  request.set_type(type);
  request.set_sector(sector);
  return request;
}

}  // namespace

bool VirtioBlkDriver::run_demo() {
  const VirtioBlkConfig config = read_config();
  log("capacity " + std::to_string(config.capacity()) + " sectors");
  std::string block(kBytes, '.');
  const std::string text = "sector 3 written by the driver";
  block.replace(0, text.size(), text);
  std::uint64_t sent = 0;
  sent += request_requestq(header(BlkRequestType::OUT, kSector), std::as_bytes(std::span(block)), 0);
  sent += request_requestq(header(BlkRequestType::IN, kSector), {}, kBytes);
  sent += request_requestq(header(BlkRequestType::FLUSH, 0), {}, 0);
  sent += request_requestq(header(BlkRequestType::GET_ID, 0), {}, 20);
  const bool complete = run_until([&] { return answered_ >= sent; }, std::chrono::seconds(10));
  const bool same = read_back_ == block;
  log("sector " + std::to_string(kSector) + (same ? " read back as written" : " read back DIFFERENT"));
  log("demo " + std::string(complete && failed_ == 0 && same ? "complete" : "incomplete") + ": " +
      std::to_string(answered_) + " of " + std::to_string(sent) + " answers");
  return complete && failed_ == 0 && same;
}

void VirtioBlkDriver::on_requestq_reply(const BlkRequestHeader& request, const BlkRequestStatus& reply,
                                        std::span<const std::byte> data_in) {
  ++answered_;
  if (reply.status() != BlkStatusCode::OK) ++failed_;
  const std::string data(reinterpret_cast<const char*>(data_in.data()), data_in.size());
  if (request.type() == BlkRequestType::IN) read_back_ = data;
  std::string shown = data.substr(0, data.find_first_of(std::string(".\0", 2)));
  log("reply on requestq: " + describe(reply) + " to " + describe(request) +
      (shown.empty() ? "" : ", data \"" + shown + "\""));
}

}  // namespace virtio_blk
