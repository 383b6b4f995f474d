#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Mutation testing of the product C code against the cmocka unit suite.

Plants one small bug at a time (a mutant) in a scratch copy of the tree,
rebuilds the unit tests there and runs them: a failing suite kills the
mutant, a passing one lets it survive (a bug the tests would not notice).
The working tree is never written. See docs/robustness.md, "Mutation testing".

Environment (all optional):
  MUTATE_SEED=1         seed of the random sample (same seed + same tree = same mutants)
  MUTATE_N=150          mutants to run; 0 or "all" = every candidate
  MUTATE_FILES=...      space-separated globs of files to mutate
                        (default: core/*.c probes/*.c agent/*.c output/*.c, not agent/main.c)
  MUTATE_OPS=...        only these operators (default: all; see OPS)
  MUTATE_OUT=build/mutate       report.txt and mutants.tsv go here
  MUTATE_TIMEOUT=SECONDS        per mutant, whole suite (default max(60, 10 x the clean run))
  MQ_TEST_TIMEOUT=10            per test (tests/harness.c)
  MUTATE_CFLAGS=-O0     CFLAGS of the scratch build
  MUTATE_SAN=1          build the scratch tree with ASan+UBSan, as `make asan` runs the unit
                        tests (slower; catches reads and writes one past the end)
  MUTATE_JOBS=2         make -j of the scratch build
  MUTATE_KEEP=1         keep the scratch tree (its path is printed)
  MUTATE_LIST=1         only list the sampled mutants, run nothing
  MUTATE_SUITES="netns-report contract ..."
                        integration suites (tests/run --only NAME) run against each mutant the
                        unit suite let survive, built as the program itself: a survivor one of
                        them fails is "killed by a named integration suite"; as root only, each
                        suite in a throwaway network and mount namespace with /proc/irq and
                        /proc/sys read-only
  MUTATE_REPLAY=FILE    run the mutants of an earlier mutants.tsv instead of a sample: each is
                        found again by file, operator and its old and new line (the nearest one
                        if the line moved), so a sample outlives edits elsewhere in the file
"""
import fnmatch
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

OPS = {
    "rel": "relational flip: < <=, > >=, == !=",
    "logic": "&& <-> ||",
    "arith": "binary + <-> -, += <-> -=",
    "obo": "integer literal +1 / -1",
    "obo-expr": "x + 1 / x - 1 -> x",
    "cond": "if (c) -> if (1) / if (0)",
    "neg": "!x -> x, if (c) -> if (!(c))",
    "ret": "return 0 -> return -1, return -E.. -> return 0, true <-> false",
    "del": "simple assignment / increment statement deleted",
}
DEFAULT_FILES = "core/*.c probes/*.c agent/*.c output/*.c"
EXCLUDE = {"agent/main.c"}
# Calls whose arguments are not mutated: our own invariants, and debug text
# that nothing reads.
SKIP_CALLS = ("assert", "static_assert", "_Static_assert", "log_debug")
TYPE_WORDS = {"char", "short", "int", "long", "unsigned", "signed", "float", "double", "void", "bool",
              "struct", "union", "enum", "const", "static", "volatile"}
KEYWORDS = {"return", "case", "sizeof", "if", "while", "for", "switch", "do", "else", "goto"}

TOKEN = re.compile(r"""
    (?P<id>[A-Za-z_]\w*)
  | (?P<float>(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?[fFlL]?|\d+[eE][+-]?\d+[fFlL]?)
  | (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)
  | (?P<op><<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|[-+*/%<>=!&|^~?:;,.(){}\[\]])
""", re.X)


def mask(text):
    """Text of the same length with comments, string and character literals
    and preprocessor lines blanked (newlines kept), so offsets stay valid."""
    out = list(text)
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if c == "\n":
            line_start = True
            i += 1
            continue
        if line_start and c == "#":
            while i < n and not (text[i] == "\n" and text[i - 1] != "\\"):
                if text[i] != "\n":
                    out[i] = " "
                i += 1
            continue
        if not c.isspace():
            line_start = False
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i, min(j + 1, n)):
                out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def matching(code, open_at):
    """Offset of the bracket closing the one at open_at, or -1."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    o, c = code[open_at], pairs[code[open_at]]
    depth = 0
    for i in range(open_at, len(code)):
        if code[i] == o:
            depth += 1
        elif code[i] == c:
            depth -= 1
            if depth == 0:
                return i
    return -1


def eligible(code):
    """Per offset: inside a function body and outside SKIP_CALLS arguments."""
    ok = bytearray(len(code))
    depth = 0
    for i, c in enumerate(code):
        if c == "{":
            if depth == 0 and code[:i].rstrip().endswith(")"):
                end = matching(code, i)
                if end > 0:
                    ok[i:end] = b"\1" * (end - i)
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
    for m in re.finditer(r"\b(?:%s)\s*\(" % "|".join(SKIP_CALLS), code):
        end = matching(code, m.end() - 1)
        if end > 0:
            ok[m.start():end + 1] = bytes(end + 1 - m.start())
    return ok


def int_value(tok):
    digits = tok.rstrip("uUlL")
    return int(digits, 16) if digits[:2].lower() == "0x" else int(digits, 10), digits, tok[len(digits):]


def candidates(path, text):
    """Every mutant of one file: (start, end, replacement, op)."""
    code = mask(text)
    ok = eligible(code)
    toks = [(m.lastgroup, m.group(), m.start(), m.end()) for m in TOKEN.finditer(code)]
    out = []

    def add(s, e, rep, op):
        if ok[s]:
            out.append((s, e, rep, op))

    for i, (kind, tok, s, e) in enumerate(toks):
        prev = toks[i - 1] if i else (None, "", 0, 0)
        binary = prev[0] in ("num", "float") or prev[1] in (")", "]") or (
            prev[0] == "id" and prev[1] not in KEYWORDS)
        nxt = toks[i + 1] if i + 1 < len(toks) else (None, "", 0, 0)
        if kind == "op":
            rel = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
            if tok in rel:
                add(s, e, rel[tok], "rel")
            elif tok in ("&&", "||"):
                add(s, e, "||" if tok == "&&" else "&&", "logic")
            elif tok in ("+", "-") and binary:
                add(s, e, "-" if tok == "+" else "+", "arith")
                if nxt[0] == "num" and int_value(nxt[1])[0] == 1 and \
                        (i + 2 >= len(toks) or toks[i + 2][1] not in ("*", "/", "%", "(", "[")):
                    add(s, nxt[3], "", "obo-expr")
            elif tok in ("+=", "-="):
                add(s, e, "-=" if tok == "+=" else "+=", "arith")
            elif tok == "!":
                add(s, e, "", "neg")
        elif kind == "num":
            if in_declared_dimension(toks, i):
                continue
            v, digits, suffix = int_value(tok)
            fmt = (lambda x: hex(x)) if digits[:2].lower() == "0x" else str
            add(s, e, fmt(v + 1) + suffix, "obo")
            if v > 0:
                add(s, e, fmt(v - 1) + suffix, "obo")
        elif kind == "id":
            if tok in ("true", "false"):
                add(s, e, "false" if tok == "true" else "true", "ret")
            elif tok == "return":
                m = re.compile(r"\s+(0|-\s*E[A-Z0-9]+)\s*;").match(code, e)
                if m:
                    add(m.start(1), m.end(1), "-1" if m.group(1) == "0" else "0", "ret")
            elif tok == "if" and nxt[1] == "(":
                end = matching(code, nxt[2])
                if end < 0:
                    continue
                cond = code[nxt[3]:end]
                if not re.search(r"(?<![=!<>+\-*/%&|^])=(?!=)|\+\+|--", cond):
                    add(nxt[3], end, "1", "cond")
                    add(nxt[3], end, "0", "cond")
                add(nxt[3], end, "!(" + text[nxt[3]:end] + ")", "neg")
    out += deletions(text, code, ok)
    return out


def in_declared_dimension(toks, i):
    """The literal is an array dimension in a declaration (`char buf[64]`):
    changing it only resizes a buffer."""
    j = i - 1
    if j < 1 or toks[j][1] != "[" or i + 1 >= len(toks) or toks[i + 1][1] != "]":
        return False
    j -= 1
    while j > 0 and toks[j][1] == "]":  # a[2][3]
        depth = 0
        while j > 0:
            depth += toks[j][1] == "]"
            depth -= toks[j][1] == "["
            j -= 1
            if depth == 0:
                break
    if toks[j][0] != "id" or j == 0:
        return False
    before = toks[j - 1]
    if before[1] == ",":  # char a[8], b[64]: a declaration if the statement starts with a type
        while j > 0 and toks[j][1] not in (";", "{", "}"):
            j -= 1
        first = toks[j + 1][1]
        return first in TYPE_WORDS or first.endswith("_t")
    return (before[0] == "id" and before[1] not in KEYWORDS) or (
        before[1] == "*" and j > 1 and toks[j - 2][0] == "id")


LVAL = r"\**[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*|\[[^\]]*\])*"
SIMPLE = re.compile(r"(?:%s\s*(?:[-+*/%%&|^]|<<|>>)?=(?!=)[^;]*|%s\s*(?:\+\+|--)|(?:\+\+|--)%s)\s*;"
                    % (LVAL, LVAL, LVAL))


def deletions(text, code, ok):
    out, pos = [], 0
    for line in code.split("\n"):
        body = line.strip()
        if body and SIMPLE.fullmatch(body) and body.count(";") == 1 and \
                body.count("(") == body.count(")"):
            s = pos + line.index(body)
            if ok[s]:
                out.append((s, s + len(body), "(void)0;", "del"))
        pos += len(line) + 1
    return out


def one_line(text, s, e, rep):
    """'old' -> 'new' for the lines the mutant touches, on one line each."""
    ls = text.rfind("\n", 0, s) + 1
    le = text.find("\n", e)
    le = len(text) if le < 0 else le
    old = " ".join(text[ls:le].split())
    new = " ".join((text[ls:s] + rep + text[e:le]).split())
    cut = lambda x: x if len(x) <= 110 else x[:107] + "..."
    return cut(old), cut(new)


def sh(cmd, cwd, timeout=None, env=None):
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True, text=True,
                         errors="replace")
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return None, out


SANDBOX = """
fail() { echo "sandbox failed: $*"; exit 99; }
mount -t sysfs -o ro sysfs /sys || fail "mount sysfs"
for d in /proc/irq /proc/sys; do
    mount --bind $d $d && mount -o remount,bind,ro $d || fail "read-only $d"
done
"""
RUNNER = """
exec build/tests/$1 >/dev/null 2>&1
"""
# An integration suite makes its own namespaces and veths; here it starts in
# an empty network namespace of its own (with its own sysfs), and whatever is
# global stays out of a mutant's reach.
# What the suites run besides the unit tests (tests/prom.mk, tests/rss.mk),
# and the test_live_* binaries the netns suites drive.
SUITE_TARGETS = ["mqbalance", "build/tests/tools/prom-fixture", "build/tests/tools/rss-probe"]
SUITE_BOX = """
fail() { echo "sandbox failed: $*"; exit 99; }
mount -t sysfs sysfs /sys || fail "mount sysfs"
ip link set lo up || fail "loopback up"
# named namespaces of its own: a suite running at the same time elsewhere may use the same names
mkdir -p /run/netns && mount -t tmpfs -o mode=755 tmpfs /run/netns || fail "tmpfs on /run/netns"
for d in /proc/irq /proc/sys; do
    mount --bind $d $d && mount -o remount,bind,ro $d || fail "read-only $d"
done
exec tests/run --only "$1"
"""


class Scratch:
    """One copy of the tree; one mutant at a time, restored after each."""

    def __init__(self, root, jobs, cflags, san=False):
        self.dir = tempfile.mkdtemp(prefix="mq-mutate-")
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                               cwd=root, check=True, stdout=subprocess.PIPE).stdout
        for f in files.decode().split("\0"):
            src = os.path.join(root, f)
            if f and (os.path.islink(src) or os.path.isfile(src)):  # fixtures hold symlinks
                os.makedirs(os.path.join(self.dir, os.path.dirname(f)), exist_ok=True)
                shutil.copy2(src, os.path.join(self.dir, f), follow_symlinks=False)
        self.tests = sorted(os.path.basename(f)[:-2] for f in os.listdir(os.path.join(self.dir, "tests"))
                            if re.fullmatch(r"test_\w+\.c", f) and not f.startswith("test_live_"))
        self.make = ["make", "--no-print-directory", "-j%d" % jobs, "BUILD=build", "CFLAGS=" + cflags]
        if san:  # the Makefile's SAN_FLAGS; CFLAGS on the command line would drop its `+=`
            flags = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
            self.make = self.make[:-1] + ["CFLAGS=%s %s" % (cflags, flags), "LDFLAGS=" + flags]
        self.targets = ["build/tests/" + t for t in self.tests]
        # Temporary files of killed tests go with the scratch tree.
        os.makedirs(os.path.join(self.dir, "tmp"))
        self.env = dict(os.environ, MQ_TEST_DATA=os.path.join(self.dir, "tests/data"),
                        TMPDIR=os.path.join(self.dir, "tmp"))
        # A mutant may lose the fixture root prefix and aim at the real /proc
        # or /sys: as root, the tests run in a private network namespace with
        # /sys, /proc/irq and /proc/sys read-only, so no mutant touches the
        # host's NICs, IRQs or CPUs. (Without root it could not anyway.)
        self.box = ["sh", "-c", RUNNER, "sh"]
        if os.geteuid() == 0:
            self.box = ["unshare", "--mount", "--net", "--propagation", "private", "--",
                        "sh", "-c", SANDBOX + RUNNER, "sh"]
        self.saved = {}

    def build(self, targets=None):
        return sh(self.make + (targets if targets is not None else self.targets), self.dir)

    def run(self, order, timeout):
        """('killed' | 'timeout' | 'survived' | 'no-build', binary). Links
        each binary just before it runs and stops at the first failure, so
        a mutant killed early costs one link, not one per binary."""
        end = time.monotonic() + timeout
        for t in order:
            rc, out = self.build(["build/tests/" + t])
            if rc != 0:
                return "no-build", t
            left = end - time.monotonic()
            if left <= 0:
                return "timeout", t
            rc, out = sh(self.box + [t], self.dir, left, self.env)
            if rc == 99 and out.startswith("sandbox failed"):
                sys.exit("mutate: cannot set up the sandbox:\n" + out)
            if rc is None or rc == 124:
                return "timeout", t
            if rc != 0:
                return "killed", t
        return "survived", ""

    def suites(self, names, timeout):
        """('suite', name) for the first integration suite that fails with the
        program as built now, else ('survived', ''); ('no-build', 'mqbalance')."""
        live = ["build/tests/" + f[:-2] for f in os.listdir(os.path.join(self.dir, "tests"))
                if re.fullmatch(r"test_live_\w+\.c", f)]
        rc, out = sh(self.make + SUITE_TARGETS + sorted(live), self.dir)
        if rc != 0:
            return "no-build", "mqbalance"
        for name in names:
            box = ["unshare", "--mount", "--net", "--propagation", "private", "--",
                   "sh", "-c", SUITE_BOX, "sh", name]
            rc, out = sh(box, self.dir, timeout, self.env)
            if rc == 99 and out.startswith("sandbox failed"):
                sys.exit("mutate: cannot set up the suite sandbox:\n" + out)
            # A suite that drives real namespaces and a terminal can fail
            # once on a busy machine: a kill must fail a second time.
            if rc != 0 and sh(box, self.dir, timeout, self.env)[0] != 0:
                self.suite_out = out
                return "suite", name
        return "survived", ""

    def apply(self, rel, text):
        src = os.path.join(self.dir, rel)
        obj = os.path.join(self.dir, "build", rel[:-2] + ".o")
        if rel not in self.saved:
            st = os.stat(src)
            with open(src) as f, open(obj, "rb") as o:
                self.saved[rel] = (f.read(), (st.st_atime_ns, st.st_mtime_ns), o.read())
        with open(src, "w") as f:
            f.write(text)
        os.unlink(obj)  # rebuilt whatever the timestamps say

    def restore(self, rel):
        """The original source with its old mtime, and its saved object as new:
        no recompile, but the library and tests relink next time."""
        src = os.path.join(self.dir, rel)
        text, times, objbytes = self.saved[rel]
        with open(src, "w") as f:
            f.write(text)
        os.utime(src, ns=times)
        with open(os.path.join(self.dir, "build", rel[:-2] + ".o"), "wb") as f:
            f.write(objbytes)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def symbols(path, cwd):
    rc, out = sh(["nm", "--defined-only", "-g", path], cwd)
    return {line.split()[-1] for line in out.splitlines() if len(line.split()) == 3} if rc == 0 else set()


def linked_by(scratch, files):
    """{file: tests whose binary holds that file's object}. Static linking
    pulls whole objects from libmq.a, so a test without any of the object's
    global symbols cannot run the mutated code: no need to run it."""
    bins = {t: symbols("build/tests/" + t, scratch.dir) for t in scratch.tests}
    out = {}
    for f in files:
        syms = symbols("build/" + f[:-2] + ".o", scratch.dir)
        out[f] = [t for t in scratch.tests if syms & bins[t]]
    return out


def order_for(rel, tests, cost, includes):
    """Likeliest killers first: tests named after the file, then tests that
    include its header, then the rest; cheaper first within each."""
    stem = os.path.basename(rel)[:-2]
    hdr = rel[:-2] + ".h"

    def key(t):
        return (0 if stem in t else 1 if hdr in includes.get(t, "") else 2, cost.get(t, 0))
    return sorted(tests, key=key)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # MUTATE_LIST=1 ... | head
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still remove the scratch tree
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()
    os.chdir(root)
    seed = int(os.environ.get("MUTATE_SEED", "1"))
    n_env = os.environ.get("MUTATE_N", "150")
    want = 0 if n_env in ("0", "all") else int(n_env)
    pats = os.environ.get("MUTATE_FILES", DEFAULT_FILES).split()
    ops = set(os.environ.get("MUTATE_OPS", " ".join(OPS)).split())
    outdir = os.environ.get("MUTATE_OUT", "build/mutate")
    bad = ops - set(OPS)
    if bad:
        sys.exit("mutate: unknown operator(s) %s; known: %s" % (" ".join(sorted(bad)), " ".join(OPS)))

    files = sorted(f for f in subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                                              "core", "probes", "agent", "output"],
                                             check=True, stdout=subprocess.PIPE, text=True).stdout.split()
                   if f.endswith(".c") and f not in EXCLUDE and os.path.isfile(f)
                   and any(fnmatch.fnmatch(f, p) for p in pats))
    if not files:
        sys.exit("mutate: no product .c file matches MUTATE_FILES=%r" % " ".join(pats))
    texts = {f: open(f).read() for f in files}
    allm = [(f,) + c for f in files for c in sorted(candidates(f, texts[f])) if c[3] in ops]
    replay = os.environ.get("MUTATE_REPLAY")
    if replay:
        sample, lost = replayed(replay, allm, texts)
        for r in lost:
            print("mutate: not found again, left out: %s:%s %s: %s -> %s" % tuple(r[:5]))
        print("mutate: %d candidate mutants in %d files; running %d of %s (%d not found again)"
              % (len(allm), len(files), len(sample), replay, len(lost)), flush=True)
    else:
        # A shuffle, then the first N: a smaller MUTATE_N runs a subset of a larger one.
        sample = list(allm)
        random.Random(seed).shuffle(sample)
        sample = sample[:want] if want else sample
        print("mutate: %d candidate mutants in %d files; running %d (MUTATE_SEED=%d)"
              % (len(allm), len(files), len(sample), seed), flush=True)
    sample.sort(key=lambda m: (m[0], m[1], m[4], m[3]))

    rows = []
    for f, s, e, rep, op in sample:
        line = texts[f].count("\n", 0, s) + 1
        old, new = one_line(texts[f], s, e, rep)
        rows.append({"file": f, "line": line, "op": op, "old": old, "new": new,
                     "text": texts[f][:s] + rep + texts[f][e:], "status": "", "by": ""})
    if os.environ.get("MUTATE_LIST") == "1":
        for r in rows:
            print("%s:%d  %-8s %s  ->  %s" % (r["file"], r["line"], r["op"], r["old"], r["new"]))
        return 0

    scratch = Scratch(root, int(os.environ.get("MUTATE_JOBS", "2")),
                      os.environ.get("MUTATE_CFLAGS", "-O0"), os.environ.get("MUTATE_SAN") == "1")
    try:
        t0 = time.monotonic()
        rc, out = scratch.build()
        if rc != 0:
            sys.exit("mutate: the unmutated tree does not build:\n" + out[-3000:])
        cost = {}
        for t in scratch.tests:
            s0 = time.monotonic()
            status, _ = scratch.run([t], 600)
            cost[t] = time.monotonic() - s0
            if status != "survived":
                rc, out = sh(["build/tests/" + t], scratch.dir, 600, scratch.env)
                sys.exit("mutate: %s fails on the unmutated tree (%s):\n%s" % (t, status, out[-3000:]))
        clean = sum(cost.values())
        timeout = float(os.environ.get("MUTATE_TIMEOUT", max(60.0, 10 * clean)))
        print("mutate: scratch tree %s built in %.0f s; clean suite %.1f s (%d binaries), "
              "timeout %.0f s per mutant" % (scratch.dir, time.monotonic() - t0, clean,
                                             len(scratch.tests), timeout), flush=True)
        suites = os.environ.get("MUTATE_SUITES", "").split()
        if suites:
            if os.geteuid() != 0:
                sys.exit("mutate: MUTATE_SUITES needs root (the suites make network namespaces)")
            status, name = scratch.suites(suites, 900)
            if status != "survived":
                sys.exit("mutate: integration suite %s fails on the unmutated tree:\n%s"
                         % (name, getattr(scratch, "suite_out", "")[-3000:]))
        includes = {t: open(os.path.join(scratch.dir, "tests", t + ".c")).read() for t in scratch.tests}
        users = linked_by(scratch, sorted({r["file"] for r in rows}))
        for f in sorted(users):
            if not users[f]:
                print("mutate: no unit test links %s: its mutants survive untested" % f)
        for k, r in enumerate(rows, 1):
            scratch.apply(r["file"], r["text"])
            rc, out = scratch.build(["build/" + r["file"][:-2] + ".o"])
            if rc != 0:
                r["status"] = "no-build"
            else:
                r["status"], r["by"] = scratch.run(
                    order_for(r["file"], users[r["file"]], cost, includes), timeout)
            scratch.restore(r["file"])
            print("[%3d/%d] %-8s %s:%d %s: %s -> %s%s" % (
                k, len(rows), r["status"], r["file"], r["line"], r["op"], r["old"], r["new"],
                " (" + r["by"] + ")" if r["by"] else ""), flush=True)
        if suites:
            surv = [r for r in rows if r["status"] == "survived"]
            for k, r in enumerate(surv, 1):
                scratch.apply(r["file"], r["text"])
                status, name = scratch.suites(suites, 900)
                scratch.restore(r["file"])
                if status == "suite":
                    r["status"], r["by"] = status, name
                print("[%3d/%d] %-8s %s:%d %s: %s -> %s%s" % (
                    k, len(surv), "suite" if status == "suite" else "survived", r["file"], r["line"],
                    r["op"], r["old"], r["new"], " (" + name + ")" if status == "suite" else ""),
                    flush=True)
        report = render(rows, seed, len(allm), time.monotonic() - t0, suites)
    finally:
        if os.environ.get("MUTATE_KEEP") == "1":
            print("mutate: scratch tree kept in " + scratch.dir)
        else:
            scratch.remove()
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "report.txt"), "w") as f:
        f.write(report)
    with open(os.path.join(outdir, "mutants.tsv"), "w") as f:
        f.write("status\tfile\tline\top\tkilled_by\told\tnew\n")
        for r in rows:
            f.write("\t".join([r["status"], r["file"], str(r["line"]), r["op"], r["by"],
                               r["old"], r["new"]]) + "\n")
    print(report, end="")
    print("mutate: written to %s/report.txt and %s/mutants.tsv" % (outdir, outdir))
    return 0


def replayed(path, allm, texts):
    """The mutants of an earlier mutants.tsv in today's files: same file, operator,
    old and new line; of several, the one nearest the recorded line."""
    by_key = {}
    for m in allm:
        f, s, e, rep, op = m
        old, new = one_line(texts[f], s, e, rep)
        by_key.setdefault((f, op, old, new), []).append((texts[f].count("\n", 0, s) + 1, m))
    sample, lost, taken = [], [], set()
    with open(path) as fh:
        head = fh.readline().rstrip("\n").split("\t")
        for line in fh:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            key = (r["file"], r["op"], r["old"], r["new"])
            near = sorted((abs(ln - int(r["line"])), ln, m) for ln, m in by_key.get(key, [])
                          if m not in taken)
            if near:
                taken.add(near[0][2])
                sample.append(near[0][2])
            else:
                lost.append((r["file"], r["line"], r["op"], r["old"], r["new"]))
    return sample, lost


def render(rows, seed, ncand, secs, suites=()):
    by_file = {}
    for r in rows:
        by_file.setdefault(r["file"], []).append(r)
    what = ("the mutants of " + os.environ["MUTATE_REPLAY"]) if os.environ.get("MUTATE_REPLAY") \
        else "seed %d" % seed
    lines = ["", "mutation testing: %s, %d of %d candidate mutants, %.0f s%s"
             % (what, len(rows), ncand, secs,
                ", ASan+UBSan build" if os.environ.get("MUTATE_SAN") == "1" else ""),
             "%-24s %7s %7s %8s %9s %9s %6s" % ("file", "mutants", "killed", "timeout", "survived",
                                                  "no-build", "kill%")]

    def line(name, rs):
        c = {s: sum(1 for r in rs if r["status"] == s)
             for s in ("killed", "timeout", "survived", "no-build", "suite")}
        c["survived"] += c["suite"]  # the unit suite's rate: a suite's kill is not its own
        counted = c["killed"] + c["timeout"] + c["survived"]
        pct = "%5.0f%%" % (100.0 * (c["killed"] + c["timeout"]) / counted) if counted else "     -"
        return "%-24s %7d %7d %8d %9d %9d %6s" % (name, len(rs), c["killed"], c["timeout"],
                                                   c["survived"], c["no-build"], pct)
    for f in sorted(by_file):
        lines.append(line(f, by_file[f]))
    lines.append(line("total", rows))
    lines.append("(kill% = (killed + timeout) / (killed + timeout + survived); no-build not counted)")
    if suites:
        by_suite = [r for r in rows if r["status"] == "suite"]
        counted = sum(1 for r in rows if r["status"] in ("killed", "timeout", "survived", "suite"))
        lines.append("with the integration suites (%s): %d more killed, %.0f%%"
                     % (" ".join(suites), len(by_suite),
                        100.0 * (counted - sum(1 for r in rows if r["status"] == "survived")) / counted
                        if counted else 0))
        lines.append("")
        lines.append("survived the unit suite, killed by a named integration suite (%d):" % len(by_suite))
        for r in by_suite:
            lines.append("  %s:%d  %s:  %s  ->  %s  (%s)" % (r["file"], r["line"], r["op"], r["old"],
                                                          r["new"], r["by"]))
    surv = [r for r in rows if r["status"] == "survived"]
    lines.append("")
    lines.append("survivors (%d):" % len(surv))
    for r in surv:
        lines.append("  %s:%d  %s:  %s  ->  %s" % (r["file"], r["line"], r["op"], r["old"], r["new"]))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
