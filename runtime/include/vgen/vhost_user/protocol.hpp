// The vhost-user protocol as the back end sees it (QEMU docs/interop/vhost-user.rst): request
// codes, header flags, feature and protocol-feature bits, and the payload layouts. Every field
// is in the machine's native byte order, as the protocol says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vgen::vhost_user {

/// Front-end message types ("Front-end message types"), by their protocol ids.
enum class Request : std::uint32_t {
  GetFeatures = 1,
  SetFeatures = 2,
  SetOwner = 3,
  ResetOwner = 4,
  SetMemTable = 5,
  SetLogBase = 6,
  SetLogFd = 7,
  SetVringNum = 8,
  SetVringAddr = 9,
  SetVringBase = 10,
  GetVringBase = 11,
  SetVringKick = 12,
  SetVringCall = 13,
  SetVringErr = 14,
  GetProtocolFeatures = 15,
  SetProtocolFeatures = 16,
  GetQueueNum = 17,
  SetVringEnable = 18,
  SendRarp = 19,
  NetSetMtu = 20,
  SetBackendReqFd = 21,
  IotlbMsg = 22,
  SetVringEndian = 23,
  GetConfig = 24,
  SetConfig = 25,
  GetInflightFd = 31,
  SetInflightFd = 32,
  ResetDevice = 34,
  VringKick = 35,
  GetMaxMemSlots = 36,
  AddMemReg = 37,
  RemMemReg = 38,
  SetStatus = 39,
  GetStatus = 40,
};

/// "VHOST_USER_GET_FEATURES" for a known request, "request N" otherwise.
std::string request_name(std::uint32_t request);

/// Back-end message types, sent on the channel of SET_BACKEND_REQ_FD.
enum class BackendRequest : std::uint32_t {
  ConfigChange = 2,  ///< VHOST_USER_BACKEND_CONFIG_CHANGE_MSG: the configuration space changed
};

/// "VHOST_USER_BACKEND_CONFIG_CHANGE_MSG" for a known back-end request, "request N" otherwise.
std::string backend_request_name(std::uint32_t request);

/// Header flags: bits 0..1 the version (1), bit 2 reply, bit 3 need_reply (REPLY_ACK).
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint32_t kVersionMask = 0x3;
inline constexpr std::uint32_t kFlagReply = 1u << 2;
inline constexpr std::uint32_t kFlagNeedReply = 1u << 3;

/// Bytes of the header: request u32, flags u32, size u32.
inline constexpr std::size_t kHeaderBytes = 12;
/// Largest payload any message this back end accepts carries (SET_MEM_TABLE with 8 regions is
/// 264 bytes, a 256-byte configuration access 268).
inline constexpr std::uint32_t kMaxPayloadBytes = 4096;
/// Most file descriptors one message may carry (SET_MEM_TABLE: one per region, 8 regions).
inline constexpr std::size_t kMaxFds = 8;

/// Virtio feature bit 30 reused by vhost-user: the back end speaks protocol features.
inline constexpr unsigned kFeatureProtocolFeatures = 30;
/// Vhost feature bit 26 (VHOST_F_LOG_ALL): dirty logging for migration (not offered).
inline constexpr unsigned kFeatureLogAll = 26;

/// Protocol feature bits ("Protocol features").
inline constexpr unsigned kProtocolMq = 0;
inline constexpr unsigned kProtocolReplyAck = 3;
inline constexpr unsigned kProtocolBackendReq = 5;
inline constexpr unsigned kProtocolConfig = 9;
inline constexpr unsigned kProtocolResetDevice = 13;
inline constexpr unsigned kProtocolConfigureMemSlots = 15;

/// Bits 0..7 of a SET_VRING_KICK/CALL/ERR payload: the ring; bit 8: no fd follows.
inline constexpr std::uint64_t kVringIndexMask = 0xff;
inline constexpr std::uint64_t kVringNoFd = 1u << 8;

/// Regions SET_MEM_TABLE may carry (VHOST_MEMORY_BASELINE_NREGIONS).
inline constexpr std::uint32_t kMaxTableRegions = 8;
/// Largest configuration space access (VHOST_USER_MAX_CONFIG_SIZE).
inline constexpr std::uint32_t kMaxConfigBytes = 256;
/// SET_CONFIG flags: a guest write (0) or live migration (1).
inline constexpr std::uint32_t kConfigFlagFrontend = 0;
inline constexpr std::uint32_t kConfigFlagMigration = 1;
/// SET_VRING_ADDR flags bit 0 (VHOST_VRING_F_LOG): log used ring writes.
inline constexpr std::uint32_t kVringFlagLog = 1;

/// "A vring state description": SET_VRING_NUM, _BASE, _ENABLE, GET_VRING_BASE.
struct VringState {
  std::uint32_t index;  ///< the ring
  std::uint32_t num;    ///< size, avail index or enable flag, by request
};
static_assert(sizeof(VringState) == 8);

/// "A vring address description" (struct vhost_vring_addr): ring parts as front-end user
/// addresses, the log as a guest address.
struct VringAddress {
  std::uint32_t index;  ///< the ring
  std::uint32_t flags;  ///< kVringFlagLog or 0
  std::uint64_t desc;   ///< descriptor table (user address)
  std::uint64_t used;   ///< used ring (user address)
  std::uint64_t avail;  ///< available ring (user address)
  std::uint64_t log;    ///< used ring logging address (guest address)
};
static_assert(sizeof(VringAddress) == 40);

/// One region of "Memory regions description" (VhostUserMemoryRegion).
struct MemoryRegionDescription {
  std::uint64_t guest_address;  ///< guest address of the first byte
  std::uint64_t size;           ///< bytes
  std::uint64_t user_address;   ///< the front end's virtual address of the first byte
  std::uint64_t mmap_offset;    ///< where the region starts in the file
};
static_assert(sizeof(MemoryRegionDescription) == 32);

/// Head of SET_MEM_TABLE's payload; `count` region descriptions follow.
struct MemoryTableHeader {
  std::uint32_t count;    ///< regions that follow (1 to kMaxTableRegions)
  std::uint32_t padding;  ///< unused
};
static_assert(sizeof(MemoryTableHeader) == 8);

/// "Single memory region description": ADD_MEM_REG and REM_MEM_REG.
struct SingleMemoryRegion {
  std::uint64_t padding;           ///< unused
  MemoryRegionDescription region;  ///< the region added or removed
};
static_assert(sizeof(SingleMemoryRegion) == 40);

/// Head of "Virtio device config space": GET_CONFIG and SET_CONFIG; `size` bytes follow.
struct ConfigHeader {
  std::uint32_t offset;  ///< first byte of the configuration space accessed
  std::uint32_t size;    ///< bytes accessed (at most kMaxConfigBytes)
  std::uint32_t flags;   ///< kConfigFlagFrontend or kConfigFlagMigration
};
static_assert(sizeof(ConfigHeader) == 12);

}  // namespace vgen::vhost_user
