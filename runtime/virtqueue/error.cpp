#include <vgen/virtqueue/error.hpp>

namespace vgen::virtqueue {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidConfig:
      return "InvalidConfig";
    case ErrorCode::AvailIndexJump:
      return "AvailIndexJump";
    case ErrorCode::HeadOutOfRange:
      return "HeadOutOfRange";
    case ErrorCode::NextOutOfRange:
      return "NextOutOfRange";
    case ErrorCode::ChainTooLong:
      return "ChainTooLong";
    case ErrorCode::ChainTooLarge:
      return "ChainTooLarge";
    case ErrorCode::ReadableAfterWritable:
      return "ReadableAfterWritable";
    case ErrorCode::BufferOutOfMemory:
      return "BufferOutOfMemory";
    case ErrorCode::IndirectNotNegotiated:
      return "IndirectNotNegotiated";
    case ErrorCode::IndirectWithNext:
      return "IndirectWithNext";
    case ErrorCode::IndirectBadSize:
      return "IndirectBadSize";
    case ErrorCode::IndirectOutOfMemory:
      return "IndirectOutOfMemory";
    case ErrorCode::NestedIndirect:
      return "NestedIndirect";
    case ErrorCode::UsedIndexJump:
      return "UsedIndexJump";
    case ErrorCode::UsedIdOutOfRange:
      return "UsedIdOutOfRange";
    case ErrorCode::UsedIdNotInFlight:
      return "UsedIdNotInFlight";
    case ErrorCode::UsedIdNotPublished:
      return "UsedIdNotPublished";
    case ErrorCode::UsedLengthTooLarge:
      return "UsedLengthTooLarge";
    case ErrorCode::Broken:
      return "Broken";
  }
  return "Unknown";
}

}  // namespace vgen::virtqueue
