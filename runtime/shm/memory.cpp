#include <vgen/shm/memory.hpp>

#include <vgen/format.hpp>

#include <algorithm>

namespace vgen::shm {
namespace {

// True if [addr, addr+len) fits in `r`; written so no sum can wrap.
bool contains(const MemoryRegion& r, GuestAddress addr, std::uint64_t len) noexcept {
  if (addr < r.base) return false;
  const std::uint64_t offset = addr - r.base;
  return offset <= r.size && len <= r.size - offset;
}

}  // namespace

void GuestMemory::add(GuestAddress base, std::shared_ptr<Region> region) {
  if (!region) throw Error(ErrorCode::Invalid, "guest memory: null region at " + hex(base));
  MemoryRegion r{base, region->size(), region->data(), std::move(region)};
  insert(std::move(r));
}

void GuestMemory::add_borrowed(GuestAddress base, std::byte* host, std::uint64_t size) {
  if (host == nullptr) throw Error(ErrorCode::Invalid, "guest memory: null host pointer at " + hex(base));
  insert(MemoryRegion{base, size, host, nullptr});
}

void GuestMemory::insert(MemoryRegion r) {
  if (r.size == 0) throw Error(ErrorCode::Invalid, "guest memory: region at " + hex(r.base) + " has size 0");
  if (r.base + r.size < r.base) {
    throw Error(ErrorCode::Overflow,
                "guest memory: region base " + hex(r.base) + " + size " + hex(r.size) + " overflows 64 bits");
  }
  for (const MemoryRegion& other : regions_) {
    if (r.base < other.base + other.size && other.base < r.base + r.size) {
      throw Error(ErrorCode::Overlap, "guest memory: region [" + hex(r.base) + ", " + hex(r.base + r.size) +
                                          ") overlaps [" + hex(other.base) + ", " + hex(other.base + other.size) + ")");
    }
  }
  auto at = std::lower_bound(regions_.begin(), regions_.end(), r.base,
                             [](const MemoryRegion& m, GuestAddress b) { return m.base < b; });
  regions_.insert(at, std::move(r));
}

std::byte* GuestMemory::find(GuestAddress addr, std::uint64_t len) const noexcept {
  for (const MemoryRegion& r : regions_) {
    if (contains(r, addr, len)) return r.host + (addr - r.base);
  }
  return nullptr;
}

std::byte* GuestMemory::translate(GuestAddress addr, std::uint64_t len) const {
  if (std::byte* p = find(addr, len)) return p;
  if (addr + len < addr) {
    throw Error(ErrorCode::Overflow, "guest memory: access at " + hex(addr) + " length " + hex(len) + " overflows");
  }
  throw Error(ErrorCode::OutOfBounds,
              "guest memory: access [" + hex(addr) + ", " + hex(addr + len) + ") is not inside one region");
}

void GuestMemory::read(GuestAddress addr, std::span<std::byte> out) const {
  std::byte* p = translate(addr, out.size());
  if (!out.empty()) std::memcpy(out.data(), p, out.size());
}

void GuestMemory::write(GuestAddress addr, std::span<const std::byte> in) const {
  std::byte* p = translate(addr, in.size());
  if (!in.empty()) std::memcpy(p, in.data(), in.size());
}

}  // namespace vgen::shm
