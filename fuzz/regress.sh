#!/usr/bin/env bash
# Inputs that once broke a parser's bounds, made here rather than committed
# (megabytes each): every harness runs them whole, once, under the same
# memory limit as the fuzzing (fuzz/run.sh). Writes DIR/NAME/INPUT.
#   /proc/interrupts under a CPU1023 header: one counter per possible CPU
#   per line took 8.1 GB for 7.9 MB of short lines, and a 689 KB input hit
#   the fuzzer's limit; a file with no newline grew one buffer to its size.
set -eu
out=${1:-build/fuzz/regress}
mkdir -p "$out"/fuzz_interrupts "$out"/fuzz_softirqs "$out"/fuzz_stat "$out"/fuzz_softnet
python3 - "$out" <<'PY'
import os, sys
out = sys.argv[1]
def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
def fill(head, line, size):
    parts, n, i = [head], len(head), 0
    while n < size:
        s = line % i if "%" in line else line
        parts.append(s)
        n += len(s)
        i += 1
    return "".join(parts).encode()
put("fuzz_interrupts/cpu1023-7.9M", fill("CPU1023\n", "%d:\n", 7900 * 1024))
put("fuzz_interrupts/cpu1023-689K", fill("CPU1023\n", "1:\n", 689 * 1024))
put("fuzz_interrupts/no-newline-8M", b"CPU0 CPU1\n 5:" + b"1" * (8 << 20))
wide = "".join("CPU%-8d" % c for c in range(8192))
put("fuzz_interrupts/wide-8192", fill(wide + "\n", "%d:" + " 1" * 8192 + "\n", 4 << 20))
put("fuzz_softirqs/no-newline-8M", b"CPU0" + b" " * (8 << 20))
put("fuzz_softirqs/wide-8192", (wide + "\n" + "NET_RX:" + " 1" * 8192 + "\n").encode())
put("fuzz_stat/no-newline-8M", b"cpu" + b"1" * (8 << 20))
put("fuzz_softnet/many-rows", fill("", "00000001 00000002 00000003\n", 4 << 20))
PY
