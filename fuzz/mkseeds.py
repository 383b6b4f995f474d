#!/usr/bin/env python3
"""Write the hand-built netlink and uevent seeds in fuzz/seeds/ (committed).

Run once when the message shapes change: fuzz/mkseeds.py. Shapes follow what
kernel 6.18 sends (see tests/data/netlink/ for a captured reply).
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def align(b):
    return b + b"\0" * (-len(b) % 4)


def attr(t, payload):
    return align(struct.pack("<HH", 4 + len(payload), t) + payload)


def u32(t, v):
    return attr(t, struct.pack("<I", v))


def u64(t, v):
    return attr(t, struct.pack("<Q", v))


def strz(t, s):
    return attr(t, s.encode() + b"\0")


def nest(t, *attrs):
    return attr(t | 0x8000, b"".join(attrs))


def nlmsg(typ, payload, flags=2, seq=1):
    return struct.pack("<IHHII", 16 + len(payload), typ, flags, seq, 0) + align(payload)


def genl(family, cmd, *attrs):
    return nlmsg(family, struct.pack("<BBH", cmd, 1, 0) + b"".join(attrs))


def write(name, fname, data):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


# ---- ethtool CHANNELS_GET_REPLY (18) / CHANNELS_NTF (19) ----
ETH = 0x15
hdr = nest(1, u32(1, 2), strz(2, "eth0"))
virtio = genl(ETH, 18, hdr, u32(5, 8), u32(9, 4))                 # combined max 8, count 4
gve = genl(ETH, 18, hdr, u32(2, 16), u32(3, 16), u32(6, 8), u32(7, 8), u32(5, 0))
ntf = genl(ETH, 19, hdr, u32(5, 32), u32(9, 32), u32(4, 1), u32(8, 1))
write("fuzz_nl_ethtool", "virtio.bin", virtio)
write("fuzz_nl_ethtool", "gve.bin", gve)
write("fuzz_nl_ethtool", "ntf-mlx5.bin", ntf)
write("fuzz_nl_ethtool", "dump.bin", virtio + gve + nlmsg(3, struct.pack("<i", 0)))

# ---- ethtool RSS_GET_REPLY (38): header, INDIR (4, u32 array), HFUNC (3), HKEY (5) ----
# tests/data/netlink/rss-get-*.bin are captured ones (seeds.sh adds them).
def u32s(t, vals):
    return attr(t, struct.pack("<%dI" % len(vals), *vals))


rss_hdr = nest(1, u32(1, 2), strz(2, "eth0"))
write("fuzz_nl_rss", "virtio-equal2.bin",
      genl(ETH, 38, rss_hdr, u32s(4, [i % 2 for i in range(128)]), u32(3, 1), attr(5, bytes(range(40)))))
write("fuzz_nl_rss", "no-table.bin", genl(ETH, 38, rss_hdr, u32(3, 1)))
write("fuzz_nl_rss", "context-xfrm.bin",
      genl(ETH, 38, rss_hdr, u32(2, 1), u32s(4, [3, 2, 1, 0] * 16), u32(6, 1), nest(8, u32(1, 0xff))))

# ---- netdev: QUEUE_GET 10, NAPI_GET 11, QSTATS_GET 12 ----
ND = 0x1b
queues = b"".join(genl(ND, 10, u32(1, q), u32(2, 3), u32(3, t), u32(4, 8193 + q))
                  for t in (0, 1) for q in range(2))
napis = b"".join(genl(ND, 11, u32(1, 3), u32(2, 8193 + q), u32(3, 40 + q), u32(4, 1234))
                 for q in range(2))
qstats = b"".join(genl(ND, 12, u32(1, 3), u32(2, t), u32(3, q), u32(4, 1),
                       u64(8 + 2 * t, 123456789), u32(9 + 2 * t, 4242), u64(13 if t == 0 else 23, 7))
                  for t in (0, 1) for q in range(2))
write("fuzz_nl_netdev", "queue-dump.bin", queues)
write("fuzz_nl_netdev", "napi-dump.bin", napis)
write("fuzz_nl_netdev", "qstats-dump.bin", qstats + nlmsg(3, struct.pack("<i", 0)))

# ---- rtnetlink RTM_NEWLINK (16) / RTM_DELLINK (17) ----
def ifinfo(idx, flags, change):
    return struct.pack("<BxHiII", 0, 1, idx, flags, change)


def link(typ, idx, name, flags=0x1043, change=0, kind=None, xdp=None):
    a = [strz(3, name), u32(4, 1500), attr(16, b"\x06"), u32(31, 8), u32(32, 8)]
    if kind:
        a.append(nest(18, strz(1, kind)))
    if xdp is not None:
        a.append(nest(43, attr(2, bytes([xdp]))))
    return nlmsg(typ, ifinfo(idx, flags, change) + b"".join(a))


eth0 = link(16, 2, "eth0")
veth = link(16, 5, "veth0", kind="veth", xdp=1)
write("fuzz_nl_link", "eth0.bin", eth0)
write("fuzz_nl_link", "dump.bin", eth0 + veth + link(16, 1, "lo", flags=0x49))

# ---- kernel uevents ----
def uevent(action, devpath, subsystem):
    return "\0".join([f"{action}@{devpath}", f"ACTION={action}", f"DEVPATH={devpath}",
                      f"SUBSYSTEM={subsystem}", "SEQNUM=4711", ""]).encode()


off = uevent("offline", "/devices/system/cpu/cpu3", "cpu")
on = uevent("online", "/devices/system/cpu/cpu1", "cpu")
net = uevent("add", "/devices/virtual/net/veth0", "net")
write("fuzz_uevent", "cpu-offline.bin", off)
write("fuzz_uevent", "cpu-online.bin", on)
write("fuzz_uevent", "net-add.bin", net)
write("fuzz_uevent", "libudev.bin", b"libudev\0\xfe\xed\xca\xfe" + b"\0" * 20)


# ---- the daemon's three sources: [source][len LE16][datagram] records ----
def rec(src, data):
    return struct.pack("<BH", src, len(data)) + data


rename = link(16, 2, "wan0", change=0)
up = link(16, 2, "eth0", flags=0x1043, change=1)
new = link(16, 7, "veth0", change=0xffffffff, kind="veth")
dl = link(17, 7, "veth0", kind="veth")
ch = genl(0x14, 19, nest(1, u32(1, 3), strz(2, "eth1")), u32(9, 2))
ch2 = genl(0x14, 19, nest(1, u32(1, 4)), u32(6, 3))
write("fuzz_monitor", "mixed.bin",
      rec(0, eth0) + rec(0, up) + rec(0, rename) + rec(0, new + dl) + rec(1, ch) + rec(1, ch2)
      + rec(2, off) + rec(2, on) + rec(2, net))
write("fuzz_monitor", "links.bin", rec(0, eth0 + up + rename))
write("fuzz_monitor", "channels.bin", rec(1, ch + ch2))
write("fuzz_monitor", "hotplug.bin", rec(2, off) + rec(2, on))

# ---- ethtool -S key names: "driver\0key" ----
for drv, key in [("virtio_net", "rx_queue_3_packets"), ("virtio_net", "rx12_drops"),
                 ("ena", "queue_7_tx_bytes"), ("gve", "rx_completed_desc[15]"),
                 ("gve", "tx_bytes[2]"), ("mlx5_core", "rx31_packets"),
                 ("ixgbe", "tx_queue_63_bytes"), ("veth", "rx_queue_0_xdp_packets"),
                 ("hv_netvsc", "     err"), ("ice", "Queue[0] AllocFails")]:
    write("fuzz_ethstats", f"{drv}-{key.strip().replace(' ', '_').replace('[', '_').replace(']', '')}",
          f"{drv}\0{key}".encode())

# ---- IRQ action names: "driver\0ifname\0dev\0name" ----
for i, (drv, ifn, dev, name) in enumerate([
        ("virtio_net", "eth0", "virtio2", "virtio2-input.3"), ("virtio_net", "eth0", "", "virtio7-output.0"),
        ("ena", "ens5", "", "ens5-Tx-Rx-31"), ("gve", "ens4", "", "gve-ntfy-blk3@pci:0000:00:04.0"),
        ("mlx5_core", "eth1", "", "mlx5_comp7@pci:c3a8:00:02.0"), ("i40e", "eth2", "", "i40e-0000:3b:00.0:misc"),
        ("vif", "eth0", "vif0", "vif0-q1-rx"), ("", "enp5s0f4", "", "enp5s0f4 (queue 2)"),
        ("e1000", "ens3", "", "uhci_hcd:usb1, ens3"), ("vmxnet3", "ens192", "", "ens192-rx-5")]):
    write("fuzz_irqname", f"seed{i}", f"{drv}\0{ifn}\0{dev}\0{name}".encode())
write("fuzz_irqname", "bare", b"eth0-TxRx-1")

# ---- CPU lists and masks ----
for i, s in enumerate(["0-3,8,10-11\n", "0", "", "1023", "0-1023", "ff,ffffffff\n",
                       "00000000,00000000,00000001", "80000000,00000000", "0-1022:2"]):
    write("fuzz_cpuset", f"seed{i}", s.encode())


# ---- one request's replies as the socket reader takes them: [len LE16][datagram] records ----
def dgram(data):
    return struct.pack("<H", len(data)) + data


def nlerr(error, echoed_len, extack=None):
    flags = 0x100 | (0x200 if extack else 0)           # NLM_F_CAPPED, NLM_F_ACK_TLVS
    body = struct.pack("<i", error) + struct.pack("<IHHII", echoed_len, ETH, 5, 1, 0x1234)
    if extack:
        body += strz(1, extack)                         # NLMSGERR_ATTR_MSG
    return nlmsg(2, body, flags=flags)


done = nlmsg(3, struct.pack("<i", 0))
write("fuzz_nl_reply", "dump.bin", dgram(virtio + gve) + dgram(done))
write("fuzz_nl_reply", "ack.bin", dgram(nlerr(0, 36)))
write("fuzz_nl_reply", "extack.bin",
      dgram(nlerr(-22, 36, "requested channel count exceeds maximum")))
intr = genl(ETH, 18, hdr, u32(5, 8), u32(9, 4))
intr = intr[:6] + struct.pack("<H", 2 | 0x10) + intr[8:]  # NLM_F_MULTI | NLM_F_DUMP_INTR
write("fuzz_nl_reply", "dump-intr.bin", dgram(virtio + intr) + dgram(nlmsg(3, struct.pack("<i", -4))))
