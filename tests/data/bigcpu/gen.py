#!/usr/bin/env python3
# Writes the big-machine root trees for tests/test_bigcpu.c (committed; rerun
# after editing: python3 tests/data/bigcpu/gen.py). Each is what a VM with
# many possible CPUs (hotplug slots) and few present shows, in the kernel's
# formats and widths:
#   p2     possible, present, online 0-1 (the small case to compare against)
#   p1920  possible 0-1919, present and online 0-7
#   p8192  possible 0-8191 (Debian's NR_CPUS), present and online 0-3
# and one untuned virtio-net NIC, eth0 (virtio2 at 00:03.0), 4 queue pairs:
# every IRQ requested on all possible CPUs ("0-8191", the kernel's default
# affinity), landing on CPU 0; XPS as virtio_net sets it (queue q on CPU q),
# masks as wide as nr_cpu_ids; /proc/softirqs with a column per possible
# CPU (NET_TX and NET_RX rows and two others only, for size).
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "interrupts"))
from gen import header, line_new, arch_x86  # noqa: E402

QUEUES = 4


def put(root, path, text):
    p = os.path.join(root, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)


def link(root, path, target):
    p = os.path.join(root, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(target, p)


def span(n):
    return "0" if n == 1 else "0-%d" % (n - 1)


def mask(cpus, width):
    """The kernel's %*pb: 32-bit groups, most significant first, width nr_cpu_ids."""
    groups = (width + 31) // 32
    words = [0] * groups
    for c in cpus:
        words[c // 32] |= 1 << (c % 32)
    return ",".join("%08x" % w for w in reversed(words))


def cpus(root, possible, online):
    d = "sys/devices/system/cpu/"
    put(root, d + "possible", span(possible) + "\n")
    put(root, d + "present", span(online) + "\n")
    put(root, d + "online", span(online) + "\n")
    put(root, d + "kernel_max", "8191\n")
    if possible > online:
        put(root, d + "offline", "%d-%d\n" % (online, possible - 1) if possible - online > 1
            else "%d\n" % online)
    put(root, "sys/devices/system/node/node0/cpulist", span(online) + "\n")
    put(root, "sys/devices/system/node/online", "0\n")
    for c in range(online):
        cd = d + "cpu%d/" % c
        put(root, cd + "topology/core_id", "%d\n" % c)
        put(root, cd + "topology/physical_package_id", "0\n")
        put(root, cd + "topology/thread_siblings_list", "%d\n" % c)
        put(root, cd + "cache/index3/level", "3\n")
        put(root, cd + "cache/index3/shared_cpu_list", span(online) + "\n")
        link(root, cd + "node0", "../../node/node0")
        if c:
            put(root, cd + "online", "1\n")


def nic(root, possible, online):
    dev = "devices/pci0000:00/0000:00:03.0/virtio2"
    base = "sys/%s/net/eth0/" % dev
    put(root, base + "ifindex", "2\n")
    link(root, "sys/class/net/eth0", "../../" + dev + "/net/eth0")
    link(root, base + "device", "../../../virtio2")
    link(root, "sys/%s/driver" % dev, "../../../../bus/virtio/drivers/virtio_net")
    for q in range(QUEUES):
        put(root, base + "queues/tx-%d/xps_cpus" % q, mask([q % online], possible) + "\n")
        put(root, base + "queues/rx-%d/rps_cpus" % q, mask([], possible) + "\n")
    rows = [(24, "virtio2-config")]
    for q in range(QUEUES):
        rows += [(25 + 2 * q, "virtio2-input.%d" % q), (26 + 2 * q, "virtio2-output.%d" % q)]
    s = header(range(online))
    s += line_new(0, [45] + [0] * (online - 1), "IO-APIC", 2, "edge", "timer")
    for irq, name in rows:
        # all traffic on CPU 0, where every vector lands
        counts = [1000 * irq if irq > 24 else 0] + [0] * (online - 1)
        s += line_new(irq, counts, "PCI-MSIX-0000:00:03.0", irq - 24, "edge", name)
        put(root, "sys/devices/pci0000:00/0000:00:03.0/msi_irqs/%d" % irq, "msix\n")
        put(root, "proc/irq/%d/smp_affinity_list" % irq, span(possible) + "\n")
        put(root, "proc/irq/%d/effective_affinity_list" % irq, "0\n")
    put(root, "proc/interrupts", s + arch_x86(online))


def load(root, possible, online):
    cols = " " * 20 + "".join("CPU%-8d" % c for c in range(possible)) + "\n"

    def row(name, f):
        return "%12s:" % name + "".join(" %10u" % (f(c) if c < online else 0)
                                         for c in range(possible)) + "\n"
    put(root, "proc/softirqs", cols + row("HI", lambda c: 0) + row("TIMER", lambda c: 300 + c) +
        row("NET_TX", lambda c: 10 + c) + row("NET_RX", lambda c: 5000 if c == 0 else 7))
    s = "cpu  %d 0 %d %d 0 0 %d 0 0 0\n" % (100 * online, 50 * online, 1000 * online, 40 * online)
    for c in range(online):
        s += "cpu%d 100 0 50 1000 0 0 40 0 0 0\n" % c
    put(root, "proc/stat", s + "intr 12345 0 0 0\nctxt 99\n")
    put(root, "proc/net/softnet_stat", "".join(
        " ".join(["%08x" % (9000 if c == 0 else 10), "00000000", "00000002"] + ["00000000"] * 9 +
                 ["%08x" % c, "00000000", "00000000"]) + "\n" for c in range(online)))


def case(name, possible, online):
    root = os.path.join(HERE, name)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    cpus(root, possible, online)
    nic(root, possible, online)
    load(root, possible, online)


case("p2", 2, 2)
case("p1920", 1920, 8)
case("p8192", 8192, 4)
