#!/usr/bin/env bash
# The release and the Debian package, without installing anything on this
# machine (tests/integration/guest-systemd.sh installs the package in a
# Debian 12 guest):
#   - VERSION, debian/changelog and NEWS agree; --version prints the release
#     (plus the commit in a git checkout);
#   - `make deb` builds it, dh_auto_test running the unit tests; lintian
#     reports no error and no warning;
#   - what is in it: files, conffile, unit, drop-in, maintainer scripts,
#     dependencies; the binary prints the release version and carries
#     Debian's hardening;
#   - the alert rules pass promtool, the dashboard is JSON;
#   - `make check-unit` runs without root;
#   - `make install` to a DESTDIR writes only below /usr/local (and
#     /etc/mqbalance.conf); `make uninstall` takes all of it back and keeps
#     an edited config.
. "$(dirname "$0")/../lib.sh"
cd "$MQ_ROOT_DIR" || exit 1
need_tools package dpkg-buildpackage dh dpkg-deb lintian readelf nm

rel=$(cat VERSION)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the release ---------------------------------------------------------------
check "package: VERSION is a release number ($rel)" grep -qxE '[0-9]+\.[0-9]+\.[0-9]+' VERSION
check "package: debian/changelog's version is VERSION" \
	test "$(dpkg-parsechangelog -SVersion)" = "$rel"
check "package: NEWS has a section for $rel" grep -qE "^$rel( |$)" NEWS
check "package: LICENSE is the MIT licence" grep -q '^MIT License$' LICENSE
v=$("$MQ" --version)
if [ -e .git ]; then
	check "package: --version of a checkout: release + commit ($v)" \
		grep -qxE "mqbalance ${rel//./\\.}\+g[0-9a-f]{7,}(-dirty)?" <<<"$v"
else
	check "package: --version without git: the release ($v)" test "$v" = "mqbalance $rel"
fi

# --- make deb --------------------------------------------------------------------
t0=$SECONDS
arch=$(dpkg --print-architecture)
deb=mqbalance_${rel}_$arch.deb
rm -f mqbalance_*.deb
if ! out=$(make -s deb 2>&1); then
	fail "package: make deb: $(tail -n 5 <<<"$out" | tr '\n' '|')"
	finish
fi
check "package: make deb wrote ./$deb ($((SECONDS - t0)) s)" test -s "$deb"
units=$(sed -n '/check-unit/,$p' build/deb/build.log | grep -m1 -E '^[0-9]+ passed, [0-9]+ failed')
check "package: dh_auto_test ran the unit tests ($units)" grep -qE '^[1-9][0-9]* passed, 0 failed' <<<"$units"

lint=$(lintian --pedantic --info --display-experimental "build/deb/mqbalance_${rel}_$arch.changes" 2>&1 |
	grep -v '^running with root privileges')
echo "# lintian --pedantic --info --display-experimental build/deb/mqbalance_${rel}_$arch.changes:${lint:+ }${lint:- (nothing)}"
bad=$(grep -E '^[EW]: ' <<<"$lint")
check "package: lintian: no error, no warning${bad:+ ($(tr '\n' '|' <<<"$bad"))}" test -z "$bad"

# --- what is in it ---------------------------------------------------------------
dpkg-deb -x "$deb" "$tmp/root"
dpkg-deb -e "$deb" "$tmp/ctl"
missing=
for f in usr/sbin/mqbalance lib/systemd/system/mqbalance.service \
	lib/systemd/system/irqbalance.service.d/mqbalance.conf usr/lib/mqbalance/irqbalance-policy \
	usr/share/man/man8/mqbalance.8.gz usr/share/man/man5/mqbalance.conf.5.gz etc/mqbalance.conf \
	usr/share/bash-completion/completions/mqbalance usr/share/mqbalance/alerts.yml \
	usr/share/mqbalance/grafana-dashboard.json usr/share/doc/mqbalance/copyright; do
	[ -e "$tmp/root/$f" ] || missing+=" /$f"
done
check "package: ships the binary, unit, drop-in, policy, man pages, config, completion, rules, dashboard${missing:+ (missing:$missing)}" \
	test -z "$missing"
check "package: /etc/mqbalance.conf is the conffile" test "$(awk '{print $1}' "$tmp/ctl/conffiles")" = /etc/mqbalance.conf
check "package: the conffile is the example, every setting commented out" \
	cmp -s mqbalance.conf.example "$tmp/root/etc/mqbalance.conf"
u=$tmp/root/lib/systemd/system/mqbalance.service
check "package: unit runs /usr/sbin/mqbalance --daemon" grep -qx 'ExecStart=/usr/sbin/mqbalance --daemon' "$u"
check "package: unit starts only in a VM" grep -qx 'ConditionVirtualization=vm' "$u"
check "package: unit enabled for multi-user.target" grep -qx 'WantedBy=multi-user.target' "$u"
check "package: drop-in names the installed policy script" \
	grep -q -- '--policyscript=/usr/lib/mqbalance/irqbalance-policy ' "$tmp/root/lib/systemd/system/irqbalance.service.d/mqbalance.conf"
check "package: postinst enables and starts the service" \
	grep -q "deb-systemd-invoke \$_dh_action 'mqbalance.service'" "$tmp/ctl/postinst"
check "package: prerm stops the service, then runs mqbalance --revert on remove" \
	awk '/deb-systemd-invoke stop .mqbalance.service/ {s = NR} /\/usr\/sbin\/mqbalance --revert/ && s {r = 1} END {exit !r}' "$tmp/ctl/prerm"
check "package: postrm purges /var/lib/mqbalance" grep -q 'rm -rf /var/lib/mqbalance' "$tmp/ctl/postrm"
dep=$(dpkg-deb -f "$deb" Depends)
check "package: Depends on libmnl0 and libnl-3-200 ($dep)" grep -q 'libmnl0.*libnl-3-200' <<<"$dep"
check "package: packaged --version is the release, no commit" \
	test "$("$tmp/root/usr/sbin/mqbalance" --version)" = "mqbalance $rel"

# Debian's hardening on the binary, from the ELF itself.
bin=$tmp/root/usr/sbin/mqbalance
check "package: PIE" grep -q 'DYN (Position-Independent Executable' <(readelf -h "$bin")
check "package: full RELRO (GNU_RELRO + BIND_NOW)" \
	sh -c "readelf -lW '$bin' | grep -q GNU_RELRO && readelf -d '$bin' | grep -q 'BIND_NOW'"
check "package: stack protector (__stack_chk_fail)" grep -q __stack_chk_fail <(nm -D "$bin")
check "package: _FORTIFY_SOURCE (*_chk calls)" grep -qE '__[a-z_]+_chk@' <(nm -D "$bin")

if command -v promtool >/dev/null; then
	out=$(promtool check rules "$tmp/root/usr/share/mqbalance/alerts.yml" 2>&1)
	check "package: promtool check rules on the shipped alerts ($(grep -m1 -o 'SUCCESS.*' <<<"$out"))" \
		grep -q SUCCESS <<<"$out"
else
	skip "package: promtool check rules: promtool not installed (Debian package prometheus)"
fi
check "package: the Grafana dashboard is JSON" python3 -m json.tool "$tmp/root/usr/share/mqbalance/grafana-dashboard.json" >/dev/null

# --- make check-unit as nobody ------------------------------------------------------
mkdir "$tmp/src"
tar --exclude=./build --exclude=./.git --exclude='./mqbalance_*' -cf - . | tar -C "$tmp/src" -xf -
chown -R nobody "$tmp/src"
chmod 755 "$tmp"
t0=$SECONDS
out=$(runuser -u nobody -- env -i PATH=/usr/bin:/bin HOME=/nonexistent make -s -C "$tmp/src" -j2 check-unit 2>&1)
rc=$?
sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
if [ $rc = 0 ] && grep -qE '^[1-9][0-9]* passed, 0 failed' <<<"$sum"; then
	ok "package: make check-unit as nobody: $sum ($((SECONDS - t0)) s)"
else
	fail "package: make check-unit as nobody exited $rc: $(grep -E 'FAILED|rror' <<<"$out" | head -n 5 | tr '\n' '|') $sum"
fi

# --- make install / uninstall ---------------------------------------------------------
d=$tmp/dest
make -s install DESTDIR="$d" >/dev/null
outside=$(cd "$d" && find . ! -type d ! -path './usr/local/*' ! -path ./etc/mqbalance.conf)
check "package: make install writes only below /usr/local and /etc/mqbalance.conf${outside:+ (also:$outside)}" \
	test -z "$outside"
check "package: make install puts the unit in /usr/local/lib/systemd/system" \
	test -s "$d/usr/local/lib/systemd/system/mqbalance.service"
make -s uninstall DESTDIR="$d" >/dev/null
left=$(cd "$d" && find . ! -type d)
check "package: make uninstall leaves no file${left:+ (left: $left)}" test -z "$left"
make -s install DESTDIR="$d" >/dev/null
echo 'queues = 2' >>"$d/etc/mqbalance.conf"
make -s uninstall DESTDIR="$d" >/dev/null
check "package: make uninstall keeps an edited /etc/mqbalance.conf" test "$(cd "$d" && find . ! -type d)" = ./etc/mqbalance.conf
finish
