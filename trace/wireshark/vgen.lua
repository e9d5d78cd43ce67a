-- Wireshark dissector for vgen trace logs (docs/trace.md, "Record payload").
--
-- A vgen log is pcapng whose interfaces have link type 147 (LINKTYPE_USER0); each enhanced
-- packet holds one record: a 32-byte header (version, channel, kind, queue, head, index,
-- descriptor counts, two values a and b), up to 64 stored descriptors of 16 bytes, then the
-- payload cut at the snap length. A group record (version 2, kind Group) holds several such
-- records of one queue under one timestamp, each after its captured and original lengths; each
-- is shown as a subtree, and the packet's line lists their kinds. This dissector decodes the header and descriptors of every
-- record and, by kind, the payload: vhost-user messages (request by name, flags, size and the
-- common payloads), XenStore xs_wire messages (operation, request and transaction ids, the
-- NUL-separated strings), rpmsg messages (header, and name-service announcements), VirtIO
-- status and Xenbus state changes, configuration accesses with the side that recorded them, and
-- the chains' bytes.
--
-- Use: wireshark -X lua_script:trace/wireshark/vgen.lua LOG, or tshark with the same option
-- (e.g. tshark -X lua_script:vgen.lua -r LOG -V), or copy it into the personal Lua plugins
-- folder. Display filters use the "vgen." fields, e.g. vgen.kind == 27 or
-- vgen.vhost_user.request == 5.

local vgen = Proto("vgen", "vgen trace record")

local channels = {
  [1] = "split virtqueue", [2] = "VirtIO device", [3] = "virtio bus", [4] = "virtio-mmio",
  [5] = "Xen shared ring", [6] = "grant mappings", [7] = "event channels", [8] = "XenStore",
  [9] = "Xenbus", [10] = "rpmsg", [11] = "vhost-user", [12] = "recorder",
}

-- The interface names vgen gives each channel (docs/trace.md, "Channels"); the queue number
-- follows for those with one per queue, ring, connection or device.
local interfaces = {
  [1] = "vq", [2] = "virtio", [3] = "virtio-bus", [4] = "mmio", [5] = "xen-ring", [6] = "grants", [7] = "evtchn",
  [8] = "xenstore", [9] = "xenbus", [10] = "rpmsg", [11] = "vhost-user", [12] = "recorder",
}
local numbered = {[1] = true, [5] = true, [8] = true, [9] = true}

local kinds = {
  [0] = "ChainAdded", [1] = "AvailPublished", [2] = "ChainTaken", [3] = "UsedPushed", [4] = "UsedPublished",
  [5] = "UsedReclaimed", [6] = "NotifySent", [7] = "NotifySuppressed", [8] = "QueueBroken", [9] = "StateChanged",
  [10] = "UsedLengthIgnored", [11] = "AvailSeen", [12] = "UsedSeen", [13] = "FeaturesNegotiated",
  [14] = "ConfigRead", [15] = "ConfigWrite", [16] = "MmioRead", [17] = "MmioWrite", [18] = "XenRequest",
  [19] = "XenResponse", [20] = "XenPushed", [21] = "GrantMapped", [22] = "GrantUnmapped", [23] = "EventSent",
  [24] = "EventReceived", [25] = "StoreMessage", [26] = "RpmsgMessage", [27] = "VhostUserMessage",
  [28] = "Dropped", [29] = "Group",
}

-- Front-end message types of the vhost-user protocol, and the back end's (on the channel of
-- SET_BACKEND_REQ_FD, which vgen records with index 0).
local vhost_requests = {
  [1] = "VHOST_USER_GET_FEATURES", [2] = "VHOST_USER_SET_FEATURES", [3] = "VHOST_USER_SET_OWNER",
  [4] = "VHOST_USER_RESET_OWNER", [5] = "VHOST_USER_SET_MEM_TABLE", [6] = "VHOST_USER_SET_LOG_BASE",
  [7] = "VHOST_USER_SET_LOG_FD", [8] = "VHOST_USER_SET_VRING_NUM", [9] = "VHOST_USER_SET_VRING_ADDR",
  [10] = "VHOST_USER_SET_VRING_BASE", [11] = "VHOST_USER_GET_VRING_BASE", [12] = "VHOST_USER_SET_VRING_KICK",
  [13] = "VHOST_USER_SET_VRING_CALL", [14] = "VHOST_USER_SET_VRING_ERR", [15] = "VHOST_USER_GET_PROTOCOL_FEATURES",
  [16] = "VHOST_USER_SET_PROTOCOL_FEATURES", [17] = "VHOST_USER_GET_QUEUE_NUM", [18] = "VHOST_USER_SET_VRING_ENABLE",
  [19] = "VHOST_USER_SEND_RARP", [20] = "VHOST_USER_NET_SET_MTU", [21] = "VHOST_USER_SET_BACKEND_REQ_FD",
  [22] = "VHOST_USER_IOTLB_MSG", [23] = "VHOST_USER_SET_VRING_ENDIAN", [24] = "VHOST_USER_GET_CONFIG",
  [25] = "VHOST_USER_SET_CONFIG", [26] = "VHOST_USER_CREATE_CRYPTO_SESSION", [27] = "VHOST_USER_CLOSE_CRYPTO_SESSION",
  [28] = "VHOST_USER_POSTCOPY_ADVISE", [29] = "VHOST_USER_POSTCOPY_LISTEN", [30] = "VHOST_USER_POSTCOPY_END",
  [31] = "VHOST_USER_GET_INFLIGHT_FD", [32] = "VHOST_USER_SET_INFLIGHT_FD", [33] = "VHOST_USER_GPU_SET_SOCKET",
  [34] = "VHOST_USER_RESET_DEVICE", [35] = "VHOST_USER_VRING_KICK", [36] = "VHOST_USER_GET_MAX_MEM_SLOTS",
  [37] = "VHOST_USER_ADD_MEM_REG", [38] = "VHOST_USER_REM_MEM_REG", [39] = "VHOST_USER_SET_STATUS",
  [40] = "VHOST_USER_GET_STATUS", [41] = "VHOST_USER_GET_SHARED_OBJECT", [42] = "VHOST_USER_SET_DEVICE_STATE_FD",
  [43] = "VHOST_USER_CHECK_DEVICE_STATE",
}
local vhost_backend_requests = {
  [1] = "VHOST_USER_BACKEND_IOTLB_MSG", [2] = "VHOST_USER_BACKEND_CONFIG_CHANGE_MSG",
  [3] = "VHOST_USER_BACKEND_VRING_HOST_NOTIFIER_MSG", [4] = "VHOST_USER_BACKEND_VRING_CALL",
  [5] = "VHOST_USER_BACKEND_VRING_ERR", [6] = "VHOST_USER_BACKEND_SHARED_OBJECT_ADD",
  [7] = "VHOST_USER_BACKEND_SHARED_OBJECT_REMOVE", [8] = "VHOST_USER_BACKEND_SHARED_OBJECT_LOOKUP",
}

-- <xen/io/xs_wire.h> enum xsd_sockmsg_type.
local xs_types = {
  [0] = "XS_CONTROL", [1] = "XS_DIRECTORY", [2] = "XS_READ", [3] = "XS_GET_PERMS", [4] = "XS_WATCH",
  [5] = "XS_UNWATCH", [6] = "XS_TRANSACTION_START", [7] = "XS_TRANSACTION_END", [8] = "XS_INTRODUCE",
  [9] = "XS_RELEASE", [10] = "XS_GET_DOMAIN_PATH", [11] = "XS_WRITE", [12] = "XS_MKDIR", [13] = "XS_RM",
  [14] = "XS_SET_PERMS", [15] = "XS_WATCH_EVENT", [16] = "XS_ERROR", [17] = "XS_IS_DOMAIN_INTRODUCED",
  [18] = "XS_RESUME", [19] = "XS_SET_TARGET", [21] = "XS_RESET_WATCHES", [22] = "XS_DIRECTORY_PART",
}

local xenbus_states = {
  [0] = "Unknown", [1] = "Initialising", [2] = "InitWait", [3] = "Initialised", [4] = "Connected",
  [5] = "Closing", [6] = "Closed", [7] = "Reconfiguring", [8] = "Reconfigured",
}

local f = vgen.fields
f.version = ProtoField.uint8("vgen.version", "Record format version")
f.channel = ProtoField.uint8("vgen.channel", "Channel", base.DEC, channels)
f.kind = ProtoField.uint8("vgen.kind", "Kind", base.DEC, kinds)
f.reserved = ProtoField.uint8("vgen.reserved", "Reserved")
f.queue = ProtoField.uint16("vgen.queue", "Queue")
f.head = ProtoField.uint16("vgen.head", "Head")
f.index = ProtoField.uint32("vgen.index", "Index")
f.stored = ProtoField.uint16("vgen.descriptors_stored", "Descriptors stored")
f.chain = ProtoField.uint16("vgen.descriptors_in_chain", "Descriptors in the chain")
f.a = ProtoField.uint64("vgen.a", "a")
f.b = ProtoField.uint64("vgen.b", "b")
f.desc = ProtoField.none("vgen.desc", "Descriptor")
f.desc_addr = ProtoField.uint64("vgen.desc.addr", "Address", base.HEX)
f.desc_len = ProtoField.uint32("vgen.desc.len", "Length")
f.desc_flags = ProtoField.uint16("vgen.desc.flags", "Flags", base.HEX)
f.desc_next = ProtoField.bool("vgen.desc.flags.next", "NEXT", 16, nil, 0x1)
f.desc_write = ProtoField.bool("vgen.desc.flags.write", "WRITE (device-writable)", 16, nil, 0x2)
f.desc_indirect = ProtoField.bool("vgen.desc.flags.indirect", "INDIRECT", 16, nil, 0x4)
f.payload = ProtoField.bytes("vgen.payload", "Payload")
f.payload_length = ProtoField.uint64("vgen.payload_length", "Payload length (uncut)")
f.truncated = ProtoField.bool("vgen.payload_truncated", "Payload cut at the snap length")
f.status_old = ProtoField.string("vgen.status.old", "Old status")
f.status_new = ProtoField.string("vgen.status.new", "New status")
f.xenbus_old = ProtoField.uint64("vgen.xenbus.old", "Old state", base.DEC, xenbus_states)
f.xenbus_new = ProtoField.uint64("vgen.xenbus.new", "New state", base.DEC, xenbus_states)
-- ConfigRead and ConfigWrite: b bit 1 says the driver recorded the access, bit 0 that it was
-- refused (docs/trace.md, "Kinds").
f.config_side = ProtoField.string("vgen.config.side", "Recorded by")
f.config_refused = ProtoField.bool("vgen.config.refused", "Refused", 64, nil, 0x1)

f.vu_direction = ProtoField.string("vgen.vhost_user.from", "From")
f.vu_request = ProtoField.uint32("vgen.vhost_user.request", "Request", base.DEC, vhost_requests)
f.vu_backend_request = ProtoField.uint32("vgen.vhost_user.backend_request", "Back-end request", base.DEC,
                                         vhost_backend_requests)
f.vu_flags = ProtoField.uint32("vgen.vhost_user.flags", "Flags", base.HEX)
f.vu_version = ProtoField.uint32("vgen.vhost_user.flags.version", "Version", base.DEC, nil, 0x3)
f.vu_reply = ProtoField.bool("vgen.vhost_user.flags.reply", "Reply", 32, nil, 0x4)
f.vu_need_reply = ProtoField.bool("vgen.vhost_user.flags.need_reply", "Need reply", 32, nil, 0x8)
f.vu_size = ProtoField.uint32("vgen.vhost_user.size", "Payload size")
f.vu_u64 = ProtoField.uint64("vgen.vhost_user.u64", "Value", base.HEX)
f.vu_ring = ProtoField.uint32("vgen.vhost_user.ring", "Ring")
f.vu_num = ProtoField.uint32("vgen.vhost_user.num", "Number")
f.vu_desc = ProtoField.uint64("vgen.vhost_user.desc", "Descriptor table (user address)", base.HEX)
f.vu_used = ProtoField.uint64("vgen.vhost_user.used", "Used ring (user address)", base.HEX)
f.vu_avail = ProtoField.uint64("vgen.vhost_user.avail", "Available ring (user address)", base.HEX)
f.vu_region = ProtoField.none("vgen.vhost_user.region", "Memory region")
f.vu_guest = ProtoField.uint64("vgen.vhost_user.region.guest", "Guest address", base.HEX)
f.vu_region_size = ProtoField.uint64("vgen.vhost_user.region.size", "Size", base.HEX)
f.vu_user = ProtoField.uint64("vgen.vhost_user.region.user", "User address", base.HEX)
f.vu_offset = ProtoField.uint64("vgen.vhost_user.region.mmap_offset", "mmap offset", base.HEX)

f.xs_type = ProtoField.uint32("vgen.xs.type", "Type", base.DEC, xs_types)
f.xs_req_id = ProtoField.uint32("vgen.xs.req_id", "Request id")
f.xs_tx_id = ProtoField.uint32("vgen.xs.tx_id", "Transaction id")
f.xs_len = ProtoField.uint32("vgen.xs.len", "Length")
f.xs_string = ProtoField.string("vgen.xs.string", "String")

f.rp_src = ProtoField.uint32("vgen.rpmsg.src", "Source address", base.HEX)
f.rp_dst = ProtoField.uint32("vgen.rpmsg.dst", "Destination address", base.HEX)
f.rp_reserved = ProtoField.uint32("vgen.rpmsg.reserved", "Reserved")
f.rp_len = ProtoField.uint16("vgen.rpmsg.len", "Length")
f.rp_flags = ProtoField.uint16("vgen.rpmsg.flags", "Flags", base.HEX)
f.rp_data = ProtoField.bytes("vgen.rpmsg.data", "Data")
f.rp_ns_name = ProtoField.stringz("vgen.rpmsg.ns.name", "Channel name")
f.rp_ns_addr = ProtoField.uint32("vgen.rpmsg.ns.addr", "Channel address", base.HEX)
f.rp_ns_flags = ProtoField.uint32("vgen.rpmsg.ns.flags", "Announcement", base.DEC, {[0] = "create", [1] = "destroy"})

f.group_count = ProtoField.uint32("vgen.group.count", "Records in the group")
f.member = ProtoField.none("vgen.group.record", "Record")
f.member_captured = ProtoField.uint32("vgen.group.record.captured", "Captured length")
f.member_original = ProtoField.uint32("vgen.group.record.original", "Original length")

local e_short = ProtoExpert.new("vgen.short", "Record shorter than its header or descriptors", expert.group.MALFORMED,
                                expert.severity.ERROR)
local e_version = ProtoExpert.new("vgen.future", "Record of a newer format version", expert.group.UNDECODED,
                                  expert.severity.WARN)
local e_xs_len = ProtoExpert.new("vgen.xs_len", "Raw XenStore bytes whose header len is not what followed it",
                                 expert.group.MALFORMED, expert.severity.WARN)
vgen.experts = {e_short, e_version, e_xs_len}

-- VirtIO 1.2 §2.1 device status bits by name.
local function status_names(value)
  local bits = {{1, "ACKNOWLEDGE"}, {2, "DRIVER"}, {8, "FEATURES_OK"}, {4, "DRIVER_OK"},
                {64, "DEVICE_NEEDS_RESET"}, {128, "FAILED"}}
  if value == 0 then return "0" end
  local names = {}
  for _, bit in ipairs(bits) do
    if bit32.band(value, bit[1]) ~= 0 then names[#names + 1] = bit[2] end
  end
  return table.concat(names, "|")
end

local function vhost_user_payload(tree, payload, request, backend)
  local size = payload:len()
  if backend then return end
  if (request == 8 or request == 10 or request == 11 or request == 18 or request == 35) and size == 8 then
    tree:add_le(f.vu_ring, payload(0, 4))
    tree:add_le(f.vu_num, payload(4, 4))
  elseif request == 9 and size == 40 then
    tree:add_le(f.vu_ring, payload(0, 4))
    tree:add_le(f.vu_desc, payload(8, 8))
    tree:add_le(f.vu_used, payload(16, 8))
    tree:add_le(f.vu_avail, payload(24, 8))
  elseif (request == 5 and size >= 8) or ((request == 37 or request == 38) and size == 40) then
    local first, count = 8, 1
    if request == 5 then count = payload(0, 4):le_uint() end
    for i = 0, count - 1 do
      local at = first + 32 * i
      if at + 32 > size then break end
      local region = tree:add(f.vu_region, payload(at, 32))
      region:add_le(f.vu_guest, payload(at, 8))
      region:add_le(f.vu_region_size, payload(at + 8, 8))
      region:add_le(f.vu_user, payload(at + 16, 8))
      region:add_le(f.vu_offset, payload(at + 24, 8))
    end
  elseif size == 8 then
    tree:add_le(f.vu_u64, payload(0, 8))
  end
end

local function vhost_user(tree, message, head, index, pinfo)
  local t = tree:add(message, "vhost-user message")
  local backend = index == 0
  t:add(f.vu_direction, message(0, 0), (head == 0 and "front end" or "back end") ..
        (backend and " (back-end channel)" or ""))
  if message:len() < 12 then return end
  local code = message(0, 4):le_uint()
  local names = backend and vhost_backend_requests or vhost_requests
  if backend then
    t:add_le(f.vu_backend_request, message(0, 4))
  else
    t:add_le(f.vu_request, message(0, 4))
  end
  local flags = t:add_le(f.vu_flags, message(4, 4))
  flags:add_le(f.vu_version, message(4, 4))
  flags:add_le(f.vu_reply, message(4, 4))
  flags:add_le(f.vu_need_reply, message(4, 4))
  t:add_le(f.vu_size, message(8, 4))
  local reply = bit32.band(message(4, 4):le_uint(), 4) ~= 0
  pinfo.cols.info:append(" " .. (names[code] or ("request " .. code)) .. (reply and " reply" or ""))
  if message:len() > 12 then vhost_user_payload(t, message(12), code, backend) end
end

-- `raw`: bytes a client wrote as they were (b = 1), whose header len is checked against
-- `uncut`, the bytes that followed it, rather than trusted.
local function xenstore(tree, message, pinfo, raw, uncut)
  local t = tree:add(message, "XenStore message (xs_wire)")
  if raw then pinfo.cols.info:append(" raw") end
  if message:len() < 16 then return end
  local kind = message(0, 4):le_uint()
  t:add_le(f.xs_type, message(0, 4))
  t:add_le(f.xs_req_id, message(4, 4))
  t:add_le(f.xs_tx_id, message(8, 4))
  t:add_le(f.xs_len, message(12, 4))
  pinfo.cols.info:append(" " .. (xs_types[kind] or ("type " .. kind)))
  local stated = message(12, 4):le_uint()
  if raw and stated ~= uncut - 16 then
    t:add_proto_expert_info(e_xs_len, string.format("Header len %d, %d bytes follow", stated, uncut - 16))
  end
  -- The payload: strings separated (and mostly ended) by NUL.
  local at, size = 16, message:len()
  while at < size do
    local stop = at
    while stop < size and message(stop, 1):uint() ~= 0 do stop = stop + 1 end
    if stop > at then
      local text = message(at, stop - at)
      t:add(f.xs_string, text, text:string())
      pinfo.cols.info:append(" " .. text:string())
    end
    at = stop + 1
  end
end

local function rpmsg(tree, message, pinfo)
  local t = tree:add(message, "rpmsg message")
  if message:len() < 16 then return end
  t:add_le(f.rp_src, message(0, 4))
  t:add_le(f.rp_dst, message(4, 4))
  t:add_le(f.rp_reserved, message(8, 4))
  t:add_le(f.rp_len, message(12, 2))
  t:add_le(f.rp_flags, message(14, 2))
  local dst = message(4, 4):le_uint()
  pinfo.cols.info:append(string.format(" 0x%x -> 0x%x", message(0, 4):le_uint(), dst))
  if message:len() <= 16 then return end
  local data = message(16)
  if dst == 0x35 and data:len() >= 40 then
    -- A name-service announcement: char name[32]; u32 addr; u32 flags.
    t:add(f.rp_ns_name, data(0, 32))
    t:add_le(f.rp_ns_addr, data(32, 4))
    t:add_le(f.rp_ns_flags, data(36, 4))
    pinfo.cols.info:append(" name service " .. data(0, 32):stringz() ..
                           (data(36, 4):le_uint() == 0 and " create" or " destroy"))
  else
    t:add(f.rp_data, data)
  end
end

-- Dissects one record (version 1) in `buffer` under `root`; `original` is its uncut length.
-- Sets the packet's line and returns the record's kind, or nil when it is too short.
local function dissect_record(buffer, pinfo, root, original)
  local length = buffer:len()
  if length < 32 then
    root:add_proto_expert_info(e_short)
    return nil
  end
  root:add(f.version, buffer(0, 1))
  local channel = buffer(1, 1):uint()
  local kind = buffer(2, 1):uint()
  root:add(f.channel, buffer(1, 1))
  root:add(f.kind, buffer(2, 1))
  root:add(f.reserved, buffer(3, 1))
  root:add_le(f.queue, buffer(4, 2))
  root:add_le(f.head, buffer(6, 2))
  root:add_le(f.index, buffer(8, 4))
  root:add_le(f.stored, buffer(12, 2))
  root:add_le(f.chain, buffer(14, 2))
  root:add_le(f.a, buffer(16, 8))
  root:add_le(f.b, buffer(24, 8))
  local head, index = buffer(6, 2):le_uint(), buffer(8, 4):le_uint()
  local a, b = buffer(16, 8):le_uint64(), buffer(24, 8):le_uint64()
  local where = (interfaces[channel] or ("channel " .. channel)) .. (numbered[channel] and buffer(4, 2):le_uint() or "")
  pinfo.cols.info = where .. " " .. (kinds[kind] or ("kind " .. kind))
  local stored = buffer(12, 2):le_uint()
  if 32 + 16 * stored > length then
    root:add_proto_expert_info(e_short)
    return kind
  end
  for i = 0, stored - 1 do
    local d = buffer(32 + 16 * i, 16)
    local item = root:add(f.desc, d)
    item:add_le(f.desc_addr, d(0, 8))
    item:add_le(f.desc_len, d(8, 4))
    local flags = item:add_le(f.desc_flags, d(12, 2))
    flags:add_le(f.desc_next, d(12, 2))
    flags:add_le(f.desc_write, d(12, 2))
    flags:add_le(f.desc_indirect, d(12, 2))
    item:append_text(string.format(": 0x%x+%d %s", d(0, 8):le_uint64():tonumber(), d(8, 4):le_uint(),
                                   bit32.band(d(12, 2):le_uint(), 2) ~= 0 and "w" or "r"))
  end
  local first = 32 + 16 * stored
  -- The uncut payload length: the record's original length less header and descriptors.
  local uncut = original - first
  local rest = buffer(first, length - first)
  root:add(f.payload_length, rest, UInt64(uncut)):set_generated()
  if length > first then root:add(f.payload, buffer(first)) end
  root:add(f.truncated, rest, uncut > length - first):set_generated()
  if kind == 9 and channel == 2 then
    root:add(f.status_old, buffer(16, 8), status_names(a:tonumber()))
    root:add(f.status_new, buffer(24, 8), status_names(b:tonumber()))
    pinfo.cols.info:append(" " .. status_names(a:tonumber()) .. " -> " .. status_names(b:tonumber()))
  elseif kind == 9 and channel == 9 then
    root:add_le(f.xenbus_old, buffer(16, 8))
    root:add_le(f.xenbus_new, buffer(24, 8))
  elseif kind == 14 or kind == 15 then
    local side = b:band(UInt64(2)) ~= UInt64(0) and "driver" or "device"
    root:add(f.config_side, buffer(24, 8), side)
    root:add_le(f.config_refused, buffer(24, 8))
    pinfo.cols.info:append(string.format(" %s offset 0x%x width %d value 0x%x", side, index, head, a:tonumber()))
  end
  if length <= first then return kind end
  local payload = buffer(first)
  if kind == 27 then
    vhost_user(root, payload, head, index, pinfo)
  elseif kind == 25 then
    xenstore(root, payload, pinfo, b ~= UInt64(0), uncut)
  elseif kind == 26 then
    rpmsg(root, payload, pinfo)
  end
  return kind
end

-- "32 ChainAdded, AvailPublished": the kinds of a group's records, runs counted.
local function kind_runs(list)
  local parts = {}
  local i = 1
  while i <= #list do
    local j = i
    while j < #list and list[j + 1] == list[i] do j = j + 1 end
    local name = kinds[list[i]] or ("kind " .. list[i])
    parts[#parts + 1] = (j > i) and ((j - i + 1) .. " " .. name) or name
    i = j + 1
  end
  return table.concat(parts, ", ")
end

-- A group record (version 2): its header, then each record it holds as a subtree.
local function dissect_group(buffer, pinfo, root)
  local length = buffer:len()
  root:add(f.channel, buffer(1, 1))
  root:add(f.kind, buffer(2, 1))
  root:add_le(f.queue, buffer(4, 2))
  root:add_le(f.group_count, buffer(8, 4))
  local channel = buffer(1, 1):uint()
  local count = buffer(8, 4):le_uint()
  local where = (interfaces[channel] or ("channel " .. channel)) .. (numbered[channel] and buffer(4, 2):le_uint() or "")
  local held = {}
  local at = 32
  for _ = 1, count do
    if at + 8 > length then
      root:add_proto_expert_info(e_short)
      break
    end
    local captured, original = buffer(at, 4):le_uint(), buffer(at + 4, 4):le_uint()
    local size = 8 + bit32.band(captured + 7, bit32.bnot(7))
    if captured < 32 or at + size > length then
      root:add_proto_expert_info(e_short)
      break
    end
    local member = root:add(f.member, buffer(at, size))
    member:add_le(f.member_captured, buffer(at, 4))
    member:add_le(f.member_original, buffer(at + 4, 4))
    local kind = dissect_record(buffer(at + 8, captured):tvb(), pinfo, member, original)
    member:append_text(": " .. (kinds[kind] or "?"))
    held[#held + 1] = kind
    at = at + size
  end
  pinfo.cols.info = where .. " group of " .. count .. ": " .. kind_runs(held)
end

function vgen.dissector(buffer, pinfo, tree)
  pinfo.cols.protocol = "vgen"
  local length = buffer:len()
  local root = tree:add(vgen, buffer(), "vgen trace record")
  if length < 32 then
    root:add_proto_expert_info(e_short)
    return
  end
  local version = buffer(0, 1):uint()
  local kind = buffer(2, 1):uint()
  if version == 2 and kind == 29 then
    root:add(f.version, buffer(0, 1))
    dissect_group(buffer, pinfo, root)
  elseif version == 1 then
    dissect_record(buffer, pinfo, root, pinfo.len)
  else
    root:add(f.version, buffer(0, 1))
    root:add_proto_expert_info(e_version)
  end
end

-- Link type 147 (LINKTYPE_USER0) is Wireshark's encapsulation USER0.
local encaps = wtap_encaps or wtap
DissectorTable.get("wtap_encap"):add(encaps.USER0, vgen)
