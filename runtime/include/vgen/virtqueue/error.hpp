// Errors of the virtqueue module. A hostile or broken peer produces one of these; the queue
// that saw it is marked broken and refuses further work, so the device model can raise
// DEVICE_NEEDS_RESET (§2.1.2).
#pragma once

#include <string>

#include <vgen/error.hpp>

namespace vgen::virtqueue {

/// What the peer (or the caller) did wrong.
enum class ErrorCode {
  InvalidConfig,          ///< queue size or ring addresses unusable (setup, not peer input)
  AvailIndexJump,         ///< avail idx moved more than the queue size
  HeadOutOfRange,         ///< a head index >= queue size
  NextOutOfRange,         ///< a next index >= queue size (or table length when indirect)
  ChainTooLong,           ///< more descriptors than the queue/table holds: a loop
  ChainTooLarge,          ///< the chain's lengths add up to more than 2^32 bytes (§2.7.5.2)
  ReadableAfterWritable,  ///< a device-readable descriptor after a writable one (§2.7.4)
  BufferOutOfMemory,      ///< addr+len outside shared memory or overflowing
  IndirectNotNegotiated,  ///< INDIRECT flag without VIRTIO_F_INDIRECT_DESC
  IndirectWithNext,       ///< INDIRECT together with NEXT (§2.7.5.3.1)
  IndirectBadSize,        ///< table length 0 or not a multiple of 16 bytes
  IndirectOutOfMemory,    ///< table outside shared memory
  NestedIndirect,         ///< INDIRECT inside an indirect table (§2.7.5.3.1)
  UsedIndexJump,          ///< used idx moved past every published chain in flight
  UsedIdOutOfRange,       ///< a used id >= queue size
  UsedIdNotInFlight,      ///< a used id that is not the head of a chain in flight
  UsedIdNotPublished,     ///< a used id of a chain added but not yet published (§2.7.8)
  UsedLengthTooLarge,     ///< a used len larger than the chain's writable bytes
  Broken,                 ///< the queue already failed; reset it before use
};

/// Short name of a code, e.g. "HeadOutOfRange".
const char* to_string(ErrorCode code) noexcept;

/// The single error type of vgen::virtqueue.
class Error : public vgen::CodedError<ErrorCode> {
 public:
  using CodedError::CodedError;
};

}  // namespace vgen::virtqueue
