#!/usr/bin/env python3
# Capture one raw ETHTOOL_MSG_CHANNELS_GET reply (the whole netlink message,
# header included) for an interface, as the kernel sent it. Used once to make
# the fixtures here; run inside a test namespace:
#   ip netns exec NS python3 capture.py IFNAME OUT.bin
import socket, struct, sys

NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
ETHTOOL_MSG_CHANNELS_GET, ETHTOOL_A_CHANNELS_HEADER, ETHTOOL_A_HEADER_DEV_INDEX = 17, 1, 1


def attr(t, payload):
    a = struct.pack("HH", 4 + len(payload), t) + payload
    return a + b"\0" * (-len(a) % 4)


def request(s, family, cmd, attrs, seq):
    body = struct.pack("BBH", cmd, 1, 0) + attrs
    s.send(struct.pack("IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body)
    msgs = []
    while True:
        data = s.recv(65536)
        off = 0
        while off < len(data):
            ln, typ = struct.unpack_from("IH", data, off)
            msgs.append((typ, data[off:off + ln]))
            off += (ln + 3) & ~3
            if typ == 2:  # NLMSG_ERROR (the ACK)
                return msgs


s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
s.bind((0, 0))
msgs = request(s, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, b"ethtool\0"), 1)
fam = None
typ, m = msgs[0]
off = 20
while off < len(m):
    ln, t = struct.unpack_from("HH", m, off)
    if t == CTRL_ATTR_FAMILY_ID:
        fam = struct.unpack_from("H", m, off + 4)[0]
    off += (ln + 3) & ~3
ifindex = socket.if_nametoindex(sys.argv[1])
hdr = attr(ETHTOOL_A_CHANNELS_HEADER | 0x8000,
           attr(ETHTOOL_A_HEADER_DEV_INDEX, struct.pack("I", ifindex)))
msgs = request(s, fam, ETHTOOL_MSG_CHANNELS_GET, hdr, 2)
open(sys.argv[2], "wb").write(msgs[0][1])
