// The structs vgen generated from the imported virtio_blk.h spec against the header's own:
// every size and every field's offset. The generated header comes first, so that the
// header's macros cannot rename anything in it. (C++ scopes virtio_blk_geometry, declared
// inside virtio_blk_config, to that struct.)
#include "virtio_blk_messages.hpp"

#include <linux/virtio_blk.h>

#include "layout.hpp"

VGEN_SAME_SIZE(virtio_blk::VirtioBlkGeometry, virtio_blk_config::virtio_blk_geometry);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkGeometry, virtio_blk_config::virtio_blk_geometry, cylinders);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkGeometry, virtio_blk_config::virtio_blk_geometry, heads);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkGeometry, virtio_blk_config::virtio_blk_geometry, sectors);

VGEN_SAME_SIZE(virtio_blk::VirtioBlkConfig, virtio_blk_config);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, capacity);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, size_max);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, seg_max);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, geometry);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, blk_size);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, physical_block_exp);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, alignment_offset);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, min_io_size);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, opt_io_size);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, wce);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, unused);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, num_queues);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, max_discard_sectors);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, max_discard_seg);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, discard_sector_alignment);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, max_write_zeroes_sectors);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, max_write_zeroes_seg);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, write_zeroes_may_unmap);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, unused1);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, max_secure_erase_sectors);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, max_secure_erase_seg);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkConfig, virtio_blk_config, secure_erase_sector_alignment);

VGEN_SAME_SIZE(virtio_blk::VirtioBlkOuthdr, virtio_blk_outhdr);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkOuthdr, virtio_blk_outhdr, type);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkOuthdr, virtio_blk_outhdr, ioprio);
VGEN_SAME_OFFSET(virtio_blk::VirtioBlkOuthdr, virtio_blk_outhdr, sector);

// The #define groups became enums with the macros' values.
static_assert(static_cast<unsigned>(virtio_blk::BlkRequestType::GET_ID) == VIRTIO_BLK_T_GET_ID);
static_assert(static_cast<unsigned>(virtio_blk::BlkRequestType::BARRIER) == VIRTIO_BLK_T_BARRIER);
static_assert(static_cast<unsigned>(virtio_blk::BlkStatus::UNSUPP) == VIRTIO_BLK_S_UNSUPP);
