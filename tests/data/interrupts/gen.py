#!/usr/bin/env python3
# Writes the synthetic /proc/interrupts fixtures with the kernel's own field
# widths (kernel/irq/proc.c show_interrupts). The outputs are committed; rerun
# after editing:  python3 tests/data/interrupts/gen.py
# host-6.18.txt is not generated: it is a copy of a real 2-vCPU guest.
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def header(cpus, prec=3):
    return " " * (prec + 8) + "".join("CPU%-8d" % c for c in cpus) + "\n"


def line_old(irq, counts, chip, hwirq, flow, name, prec=3):
    """<= 6.12: "%*d: " + "%10u " per CPU + " %8s" chip ..."""
    s = "%*d: " % (prec, irq) + "".join("%10u " % c for c in counts)
    s += " %8s" % chip
    s += (" %*d" % (prec, hwirq)) if hwirq is not None else " " * (prec + 1)
    if flow:
        s += "-%-8s" % flow
    if name:
        s += "  " + name
    return s + "\n"


def line_new(irq, counts, chip, hwirq, flow, name, prec=3):
    """>= 6.13: "%*d:" + " %10u" per CPU + " " + "%8s" chip ..."""
    s = "%*d:" % (prec, irq) + "".join(" %10u" % c for c in counts) + " "
    s += "%8s" % chip
    s += (" %*d" % (prec, hwirq)) if hwirq is not None else " " * (prec + 1)
    if flow:
        s += "-%-8s" % flow
    if name:
        s += "  " + name
    return s + "\n"


def arch(tag, counts, text):
    return "%s:" % tag + "".join(" %10u" % c for c in counts) + ("   " + text if text else "") + "\n"


def arch_x86(n):
    z = [0] * n
    return (arch("NMI", z, "Non-maskable interrupts") +
            arch("LOC", [1234567 + 1000 * i for i in range(n)], "Local timer interrupts") +
            arch("SPU", z, "Spurious interrupts") +
            arch("RES", [4242 + i for i in range(n)], "Rescheduling interrupts") +
            arch("CAL", [999] * n, "Function call interrupts") +
            arch("TLB", [77] * n, "TLB shootdowns") +
            arch("ERR", [0], "") + arch("MIS", [0], ""))


def write(name, text):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)


def cnt(irq, cpu, ncpu, hot):
    """Deterministic counts: the IRQ's traffic lands on CPU (irq % ncpu)."""
    return (1000 * irq + 7) if cpu == hot % ncpu else 0


def legacy(fmt, n):
    return (fmt(0, [45] + [0] * (n - 1), "IO-APIC", 2, "edge", "timer") +
            fmt(1, [0] * (n - 1) + [9], "IO-APIC", 1, "edge", "i8042") +
            fmt(4, [0, 310] + [0] * (n - 2), "IO-APIC", 4, "edge", "ttyS0") +
            fmt(8, [1] + [0] * (n - 1), "IO-APIC", 8, "edge", "rtc0") +
            fmt(9, [0] * n, "IO-APIC", 9, "fasteoi", "acpi") +
            fmt(12, [0, 0, 15] + [0] * (n - 3), "IO-APIC", 12, "edge", "i8042"))


# Debian 12, kernel 6.1, qemu: virtio-net at 00:03.0 (virtio0), 4 queue pairs, 4 vCPUs.
# PCI-MSI hwirq = PCI requester id << 11 | vector: 00:03.0 -> 49152.
def virtio_61():
    n = 4
    f = line_old
    s = header(range(n)) + legacy(f, n)
    s += f(24, [0] * n, "PCI-MSI", 49152, "edge", "virtio0-config")
    irq = 25
    for q in range(4):
        for kind in ("input", "output"):
            s += f(irq, [cnt(irq, c, n, q) for c in range(n)], "PCI-MSI", 49153 + irq - 25, "edge",
                   "virtio0-%s.%d" % (kind, q))
            irq += 1
    s += f(33, [0] * n, "PCI-MSI", 65536, "edge", "virtio1-config")
    s += f(34, [11, 22, 33, 44], "PCI-MSI", 65537, "edge", "virtio1-req.0")
    return s + arch_x86(n)


# Debian 12 backports, kernel 6.12: per-device MSI domains print the chip as
# PCI-MSIX-<bdf> and the hwirq is the vector index.
def virtio_612():
    n = 4
    f = line_old
    s = header(range(n)) + legacy(f, n)
    s += f(24, [0] * n, "PCI-MSIX-0000:00:02.0", 0, "edge", "virtio1-config")
    s += f(25, [500, 0, 0, 0], "PCI-MSIX-0000:00:02.0", 1, "edge", "virtio1-req.0")
    s += f(26, [0] * n, "PCI-MSIX-0000:00:03.0", 0, "edge", "virtio2-config")
    s += f(27, [0, 2138, 0, 0], "PCI-MSIX-0000:00:03.0", 1, "edge", "virtio2-input.0")
    s += f(28, [1220, 0, 0, 0], "PCI-MSIX-0000:00:03.0", 2, "edge", "virtio2-output.0")
    s += f(29, [0, 0, 0, 777], "PCI-MSIX-0000:00:03.0", 3, "edge", "virtio2-input.1")
    s += f(30, [0, 0, 555, 0], "PCI-MSIX-0000:00:03.0", 4, "edge", "virtio2-output.1")
    return s + arch_x86(n)


# CPU 2 offline: three columns, "CPU0 CPU1 CPU3".
def hotplug():
    cpus = [0, 1, 3]
    f = line_old
    s = header(cpus)
    s += f(0, [45, 0, 0], "IO-APIC", 2, "edge", "timer")
    s += f(26, [0, 0, 0], "PCI-MSIX-0000:00:03.0", 0, "edge", "virtio2-config")
    s += f(27, [10, 20, 30], "PCI-MSIX-0000:00:03.0", 1, "edge", "virtio2-input.0")
    s += f(28, [1, 2, 3], "PCI-MSIX-0000:00:03.0", 2, "edge", "virtio2-output.0")
    # Read while CPU 3 went away: a short line.
    s += f(29, [5, 6], "", None, None, None).rstrip() + "\n"
    return s + arch_x86(3)


# AWS Nitro (6.1, Amazon Linux style): ENA at 00:05.0 named after the interface, nvme.
def ena():
    n = 4
    f = line_old
    s = header(range(n)) + legacy(f, n)
    s += f(24, [0, 0, 0, 28], "PCI-MSI", 65536, "edge", "nvme0q0")
    s += f(25, [3008, 0, 0, 0], "PCI-MSI", 65537, "edge", "nvme0q1")
    s += f(26, [0, 95, 0, 0], "PCI-MSI", 81920, "edge", "ena-mgmnt@pci:0000:00:05.0")
    for q in range(4):
        irq = 27 + q
        s += f(irq, [cnt(irq, c, n, q) for c in range(n)], "PCI-MSI", 81921 + q, "edge",
               "ens5-Tx-Rx-%d" % q)
    return s + arch_x86(n)


# Google gVNIC, new names (6.1+ after the Feb 2023 rename): 4 TX + 4 RX blocks.
def gve_new():
    n = 4
    f = line_old
    s = header(range(n)) + legacy(f, n)
    bdf = "0000:00:04.0"
    for b in range(8):
        irq = 24 + b
        s += f(irq, [cnt(irq, c, n, b) for c in range(n)], "PCI-MSI", 32768 + b, "edge",
               "gve-ntfy-blk%d@pci:%s" % (b, bdf))
    s += f(32, [0, 0, 1, 0], "PCI-MSI", 32776, "edge", "gve-mgmnt@pci:%s" % bdf)
    return s + arch_x86(n)


# gVNIC before the rename: "<if>-ntfy-block.<N>", "<if>-mgmnt".
def gve_old():
    n = 2
    f = line_old
    s = header(range(n))
    for b in range(4):
        irq = 24 + b
        s += f(irq, [cnt(irq, c, n, b) for c in range(n)], "PCI-MSI", 32768 + b, "edge",
               "ens4-ntfy-block.%d" % b)
    s += f(28, [3, 0], "PCI-MSI", 32772, "edge", "ens4-mgmnt")
    return s + arch_x86(n)


# Azure: mlx5 VF behind Hyper-V's PCI MSI chip (chip name with spaces), 4 CPUs.
def mlx5():
    n = 4
    f = line_old
    s = header(range(n))
    s += f(9, [0] * n, "IO-APIC", 9, "fasteoi", "acpi")
    bdf = "c3a8:00:02.0"
    s += f(24, [0, 0, 12, 0], "Hyper-V PCIe MSI", 1082654720, "edge", "mlx5_async0@pci:%s" % bdf)
    for q in range(4):
        irq = 25 + q
        s += f(irq, [cnt(irq, c, n, q) for c in range(n)], "Hyper-V PCIe MSI", 1082654721 + q,
               "edge", "mlx5_comp%d@pci:%s" % (q, bdf))
    s += arch("HYP", [80, 34, 20, 10], "Hypervisor callback interrupts")
    s += arch("HRE", [0] * n, "Hyper-V reenlightenment interrupts")
    s += arch("HVS", [5000, 5100, 5200, 5300], "Hyper-V stimer0 interrupts")
    return s + arch_x86(n)


# Intel on bare metal with interrupt remapping: ixgbe, i40e, ice, iavf, -rx/-tx styles.
def intel():
    n = 2
    f = line_old
    s = header(range(n))
    base = 1048576
    rows = [
        (40, "eth1-TxRx-0"), (41, "eth1-TxRx-1"), (42, "eth1"),
        (43, "i40e-0000:3b:00.0:misc"), (44, "i40e-eth2-TxRx-0"), (45, "i40e-eth2-TxRx-1"),
        (46, "ice-0000:5e:00.0:misc"), (47, "ice-eth3-TxRx-0"), (48, "ice-eth3-TxRx-1"),
        (49, "iavf-0000:00:08.0:mbx"), (50, "iavf-eth4-TxRx-0"),
        (51, "eth5-rx-0"), (52, "eth5-tx-0"), (53, "eth5-rx-1"), (54, "eth5-tx-1"),
    ]
    for irq, name in rows:
        s += f(irq, [irq * 10, irq], "IR-PCI-MSI", base + irq, "edge", name)
    return s + arch_x86(n)


# virtio-net with too few MSI-X vectors: every virtqueue on one vector.
def virtqueues():
    n = 2
    f = line_old
    s = header(range(n))
    s += f(24, [0, 0], "PCI-MSI", 49152, "edge", "virtio0-config")
    s += f(25, [8000, 9000], "PCI-MSI", 49153, "edge", "virtio0-virtqueues")
    return s + arch_x86(n)


# Everything odd we know of, one file.
def odd():
    n = 2
    s = header(range(n))
    s += line_old(7, [0, 3], "amd_gpio", 5, None, "ACPI:Event")
    s += line_old(9, [1, 2], "IO-APIC", 9, "fasteoi", "acpi")
    s += line_old(16, [100, 200], "IO-APIC", 16, "fasteoi", "ehci_hcd:usb1, snd_hda_intel:card0")
    s += line_old(17, [5, 6], "GICv3", 27, None, "arch_timer").replace(" 27  ", " 27 Level     ")
    s += line_old(18, [1, 1], "gpio-mxc", 11, None, "2190000.usdhc cd").replace(" 11  ", " 11 Edge      ")
    s += line_old(19, [0, 42], "PCI-MSI", 524288, "edge", "enp5s0f4 (queue 0)")
    s += line_old(20, [4294967295, 4294967295], "PCI-MSI", 524289, "edge", "enp5s0f4 (queue 1)")
    s += "  21:  1  2  xen-percpu-virq      timer0\n"
    s += "  22:  3  4   xen-dyn-event     blkif\n"
    s += "  23:  5  6  xen-pirq    -ioapic-edge  acpi\n"
    s += "  33:     237187          0  xen-percpu    -virq      timer0\n"   # Xen, 4.14+
    s += "  34:      20318          0   xen-dyn    -event     eth0-q0-tx\n"
    s += "  24:       1966       1900GIC-0  27 Level     arch_timer\n"   # 6.13-rc regression
    s += "  25:  7  8  PCI-MSI 32769-edge\n"                              # no action
    s += "  26:  9\n"                                                      # short line
    s += "garbage line without colon\n"
    s += "  27x: 1 2 PCI-MSI 1-edge bad-number\n"
    s += "  99999999999999999999: 1 2 PCI-MSI 1-edge too-big\n"
    s += "\n"
    s += "  28:  11  22  PCI-MSI 32770-edge      " + "x" * 5000 + "\n"      # long name: cut
    s += "  29:  " + "1 " * 3000 + " PCI-MSI 3-edge  very-many-columns\n"  # > header columns
    s += "  30:  12  13  PCI-MSI 32771-edge      \tname\twith\ttabs\n"
    s += "  31:  0  0  PCI-MSI 32772-edge      ctl\x01char\n"
    s += "ERR:          3\n"
    s += "MIS:          0\n"
    s += "IPI0:        10         20   Rescheduling interrupts\n"
    s += "  32:  14  15  PCI-MSI 32773-edge      last-no-newline"
    return s


if __name__ == "__main__":
    write("virtio-6.1.txt", virtio_61())
    write("virtio-6.12.txt", virtio_612())
    write("hotplug.txt", hotplug())
    write("ena.txt", ena())
    write("gve-new.txt", gve_new())
    write("gve-old.txt", gve_old())
    write("mlx5.txt", mlx5())
    write("intel.txt", intel())
    write("virtqueues.txt", virtqueues())
    write("odd.txt", odd())
    write("new-6.13.txt", header(range(2)) +
          line_new(38, [0, 2138], "PCI-MSIX-0000:00:03.0", 1, "edge", "virtio2-input.0") +
          line_new(39, [1220, 0], "PCI-MSIX-0000:00:03.0", 2, "edge", "virtio2-output.0") +
          line_new(40, [3, 4], "IO-APIC", 4, "edge", "ttyS0") + arch_x86(2))
