#!/usr/bin/env python3
# Writes the sysfs/procfs fixture trees for tests/test_irqmap.c (committed;
# rerun after editing: python3 tests/data/irqmap/gen.py). Each case is a root
# with sys/class/net/<if> -> the device, relative symlinks as the kernel makes
# them, msi_irqs/ or irq, /proc/interrupts and /proc/irq/N/*affinity*.
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "interrupts"))
from gen import header, line_old, arch_x86  # noqa: E402


def put(root, path, text):
    p = os.path.join(root, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)


def link(root, path, target):
    p = os.path.join(root, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(target, p)


def netdev(root, ifname, devpath, ifindex, driver_link):
    """devpath: the device the netdev hangs off, e.g. devices/pci0000:00/0000:00:03.0/virtio2."""
    base = "sys/%s/net/%s" % (devpath, ifname)
    put(root, base + "/ifindex", "%d\n" % ifindex)
    depth = devpath.count("/") + 1
    link(root, "sys/class/net/" + ifname, "../../" + devpath + "/net/" + ifname)
    link(root, base + "/device", "../../../" + os.path.basename(devpath))
    link(root, "sys/%s/driver" % devpath, "../" * depth + "bus/" + driver_link)


def irqs(root, table, ncpu):
    """table: (irq, name, counts, affinity_list or None, effective or None, mask or None)."""
    for irq, _name, _counts, aff, eff, mask in table:
        d = "proc/irq/%d/" % irq
        if aff is not None:
            put(root, d + "smp_affinity_list", aff + "\n")
        if eff is not None:
            put(root, d + "effective_affinity_list", eff + "\n")
        if mask is not None:
            put(root, d + "smp_affinity", mask + "\n")


def case(name):
    root = os.path.join(HERE, name)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    return root


def interrupts(root, ncpu, rows, chip="PCI-MSI"):
    s = header(range(ncpu))
    s += line_old(0, [45] + [0] * (ncpu - 1), "IO-APIC", 2, "edge", "timer")
    for irq, nm, counts, *_ in rows:
        s += line_old(irq, counts, chip, irq - 20, "edge", nm)
    put(root, "proc/interrupts", s + arch_x86(ncpu))


def on(cpu, n, v):
    return [v if c == cpu else 0 for c in range(n)]


# virtio-net eth0 (ifindex 3) is virtio2 on PCI 00:03.0; virtio1 (blk) is 00:02.0;
# eth1 (ifindex 2) is virtio0 on 00:06.0 with one queue pair.
# Queue IRQs spread by the kernel; IRQ 39 lacks effective_affinity_list (old kernel),
# IRQ 40 has only the hex mask files.
def virtio():
    root = case("virtio")
    n = 4
    dev = "devices/pci0000:00/0000:00:03.0/virtio2"
    netdev(root, "eth0", dev, 3, "virtio/drivers/virtio_net")
    netdev(root, "eth1", "devices/pci0000:00/0000:00:06.0/virtio0", 2, "virtio/drivers/virtio_net")
    other = [(50, "virtio0-config", [0] * n, "0-3", "0", None),
             (51, "virtio0-input.0", [1, 2, 3, 4], "0-3", "3", None),
             (52, "virtio0-output.0", [4, 3, 2, 1], "0-3", "2", None)]
    for r in other:
        put(root, "sys/devices/pci0000:00/0000:00:06.0/msi_irqs/%d" % r[0], "msix\n")
    blk = [(24, "virtio1-config", [0] * n, "0-3", "0", None),
           (25, "virtio1-req.0", [5, 6, 7, 8], "0-3", "2", None)]
    rows = [(37, "virtio2-config", [0] * n, "0-3", "0", None)]
    irq = 38
    for q in range(4):
        for kind in ("input", "output"):
            aff, eff, mask = str(q), str(q), None
            if irq == 38:
                aff, eff = "0-3", "1"
            elif irq == 39:
                aff, eff = "2", None
            elif irq == 40:
                aff, eff, mask = None, None, "c"
            rows.append((irq, "virtio2-%s.%d" % (kind, q), on(q, n, 100 * irq), aff, eff, mask))
            irq += 1
    for i in (37,) + tuple(range(38, 46)):
        put(root, "sys/devices/pci0000:00/0000:00:03.0/msi_irqs/%d" % i, "msix\n")
    for i in (24, 25):
        put(root, "sys/devices/pci0000:00/0000:00:02.0/msi_irqs/%d" % i, "msix\n")
    interrupts(root, n, blk + rows + other)
    irqs(root, blk + rows + other, n)
    put(root, "sys/devices/pci0000:00/0000:00:03.0/irq", "11\n")


# virtio with too few vectors: one "virtqueues" IRQ, virtio0 at 00:04.0.
def virtio_shared():
    root = case("virtio-shared")
    n = 2
    netdev(root, "eth0", "devices/pci0000:00/0000:00:04.0/virtio0", 2, "virtio/drivers/virtio_net")
    rows = [(24, "virtio0-config", [0, 0], "0-1", "0", None),
            (25, "virtio0-virtqueues", [8000, 9000], "0-1", "0", None)]
    for r in rows:
        put(root, "sys/devices/pci0000:00/0000:00:04.0/msi_irqs/%d" % r[0], "msix\n")
    interrupts(root, n, rows)
    irqs(root, rows, n)


# AWS ENA ens5 at 00:05.0 (the netdev's device is the PCI function), nvme alongside.
def ena():
    root = case("ena")
    n = 4
    netdev(root, "ens5", "devices/pci0000:00/0000:00:05.0", 2, "pci/drivers/ena")
    rows = [(22, "nvme0q0", [0, 0, 0, 28], "0-3", "3", None),
            (26, "ena-mgmnt@pci:0000:00:05.0", [0, 95, 0, 0], "0-3", "1", None)]
    for q in range(4):
        rows.append((27 + q, "ens5-Tx-Rx-%d" % q, on(q, n, 1000 + q), str(q), str(q), None))
    for r in rows[1:]:
        put(root, "sys/devices/pci0000:00/0000:00:05.0/msi_irqs/%d" % r[0], "msix\n")
    interrupts(root, n, rows)
    irqs(root, rows, n)


# Google gVNIC ens4 at 00:04.0: 8 notification blocks (0-3 TX, 4-7 RX) + mgmnt.
def gve(name, new):
    root = case(name)
    n = 4
    netdev(root, "ens4", "devices/pci0000:00/0000:00:04.0", 2, "pci/drivers/gve")
    bdf = "0000:00:04.0"
    rows = []
    for b in range(8):
        nm = ("gve-ntfy-blk%d@pci:%s" % (b, bdf)) if new else ("ens4-ntfy-block.%d" % b)
        rows.append((24 + b, nm, on(b % n, n, 500 + b), str(b % n), str(b % n), None))
    rows.append((32, ("gve-mgmnt@pci:%s" % bdf) if new else "ens4-mgmnt", [0, 0, 1, 0], "0-3",
                 "2", None))
    for r in rows:
        put(root, "sys/devices/pci0000:00/0000:00:04.0/msi_irqs/%d" % r[0], "msix\n")
    interrupts(root, n, rows)
    irqs(root, rows, n)


# e1000 in qemu: no MSI, one INTx line shared with USB: device/irq only.
def legacy():
    root = case("legacy")
    n = 2
    netdev(root, "ens3", "devices/pci0000:00/0000:00:03.0", 2, "pci/drivers/e1000")
    put(root, "sys/devices/pci0000:00/0000:00:03.0/irq", "11\n")
    s = header(range(n))
    s += line_old(0, [45, 0], "IO-APIC", 2, "edge", "timer")
    s += line_old(11, [700, 300], "IO-APIC", 11, "fasteoi", "uhci_hcd:usb1, ens3")
    put(root, "proc/interrupts", s + arch_x86(n))
    put(root, "proc/irq/11/smp_affinity_list", "0-1\n")
    put(root, "proc/irq/11/effective_affinity_list", "0\n")


# xen-netfront eth0 on xenbus vif-0: no MSI, no INTx in sysfs; event channels
# named after the xenbus id with split channels; vif1 is another NIC's.
def xen():
    root = case("xen")
    n = 2
    netdev(root, "eth0", "devices/vif-0", 2, "xen/drivers/vif")
    rows = [(22, "blkif", [5, 0], "0-1", "0", None)]
    irq = 30
    for q in range(2):
        for d in ("tx", "rx"):
            rows.append((irq, "vif0-q%d-%s" % (q, d), on(q, n, 10 * irq), str(q), str(q), None))
            irq += 1
    rows.append((40, "vif1-q0-tx", [1, 1], "0-1", "0", None))
    s = header(range(n))
    for r in rows:
        s += line_old(r[0], r[2], "xen-dyn", None, "event", r[1])
    put(root, "proc/interrupts", s + arch_x86(n))
    irqs(root, rows, n)


# vmxnet3 ens192 with 2 TX and 2 RX queues, not buddy-shared: tx-0, tx-1, then
# rx-2, rx-3 (vector numbers), event-4.
def vmxnet3():
    root = case("vmxnet3")
    n = 2
    dev = "devices/pci0000:00/0000:0b:00.0"
    netdev(root, "ens192", dev, 2, "pci/drivers/vmxnet3")
    names = ["ens192-tx-0", "ens192-tx-1", "ens192-rx-2", "ens192-rx-3", "ens192-event-4"]
    rows = [(56 + i, nm, on(i % n, n, 7 + i), str(i % n), str(i % n), None)
            for i, nm in enumerate(names)]
    for r in rows:
        put(root, "sys/%s/msi_irqs/%d" % (dev, r[0]), "msix\n")
    interrupts(root, n, rows)
    irqs(root, rows, n)


# mlx5 eth1 on a kernel that numbers completion vectors from 1 (async is vector 0).
def mlx5():
    root = case("mlx5")
    n = 4
    dev = "devices/pci0000:00/0000:00:08.0"
    netdev(root, "eth1", dev, 3, "pci/drivers/mlx5_core")
    bdf = "0000:00:08.0"
    rows = [(40, "mlx5_async0@pci:" + bdf, [3, 0, 0, 0], "0-3", "0", None)]
    for v in range(1, 5):
        rows.append((40 + v, "mlx5_comp%d@pci:%s" % (v, bdf), on(v - 1, n, 100 + v), str(v - 1),
                     str(v - 1), None))
    for r in rows:
        put(root, "sys/%s/msi_irqs/%d" % (dev, r[0]), "msix\n")
    interrupts(root, n, rows)
    irqs(root, rows, n)


# ixgbevf eth0 with one queue pair: "eth0-TxRx-0" is queue 0, the bare "eth0" its "other causes" vector.
def ixgbevf_1q():
    root = case("ixgbevf-1q")
    n = 2
    dev = "devices/pci0000:00/0000:00:05.0"
    netdev(root, "eth0", dev, 2, "pci/drivers/ixgbevf")
    rows = [(30, "eth0-TxRx-0", [500, 0], "0", "0", None), (31, "eth0", [3, 0], "0-1", "0", None)]
    for r in rows:
        put(root, "sys/%s/msi_irqs/%d" % (dev, r[0]), "msix\n")
    interrupts(root, n, rows)
    irqs(root, rows, n)


virtio()
virtio_shared()
ena()
gve("gve", True)
gve("gve-old", False)
legacy()
xen()
vmxnet3()
mlx5()
ixgbevf_1q()
