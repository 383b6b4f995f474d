#!/usr/bin/env bash
# Fetch the Debian guest kernels the guest tests boot: the newest
# linux-image-6.1.0-*-amd64 and linux-image-6.12.*+deb12-amd64 (not cloud: the
# cloud flavour lacks e1000). Each is `dpkg-deb -x`ed into
#   $MQ_GUEST_CACHE/kernels/<version>/{boot,lib/modules}
# (default /var/cache/mqbalance-test, outside the repo). Idempotent: a kernel
# already extracted is not fetched again. Prints one line per kernel:
#   <series> <version> <dir>
# Exits non-zero with the reason on stderr when a kernel cannot be had.
set -euo pipefail

cache=${MQ_GUEST_CACHE:-/var/cache/mqbalance-test}
mkdir -p "$cache/kernels" "$cache/debs"
# Two test runs at once (CI jobs, helpers) must not extract into one tree.
exec 9>"$cache/.fetch.lock"
flock 9

# Package names of a series, newest first, from the local apt lists.
candidates() {
	apt-cache search --names-only "$1" 2>/dev/null | awk '{print $1}' | sort -rV
}

# Newest already-extracted kernel of a series (offline fallback).
cached() {
	local d
	for d in $(ls -1 "$cache/kernels" 2>/dev/null | grep -E "$1" | sort -rV); do
		[ -f "$cache/kernels/$d/.complete" ] && { echo "$d"; return 0; }
	done
	return 1
}

extract() {	# package -> version dir
	local pkg=$1 kver=${1#linux-image-} dir deb tmp
	dir=$cache/kernels/$kver
	if [ -f "$dir/.complete" ]; then
		echo "$kver"
		return 0
	fi
	tmp=$(mktemp -d "$cache/debs/dl.XXXXXX")
	if ! (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>"$tmp/err"); then
		# extract runs in a subshell: the reason travels in a file.
		echo "apt-get download $pkg: $(grep -m1 '^E:' "$tmp/err" || tail -n1 "$tmp/err")" |
			tee "$cache/debs/last-error" | sed 's/^/fetch-kernels: /' >&2
		rm -rf "$tmp"
		return 1
	fi
	deb=$(ls "$tmp"/*.deb)
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir"
	rm -rf "$tmp"
	if [ ! -f "$dir/boot/vmlinuz-$kver" ] || [ ! -d "$dir/lib/modules/$kver" ]; then
		echo "fetch-kernels: $pkg has no boot/vmlinuz-$kver or modules" >&2
		return 1
	fi
	# The package ships no modules.dep (postinst runs depmod): compute it here.
	depmod -b "$dir" "$kver"
	touch "$dir/.complete"
	echo "$kver"
}

echo "no package in the apt lists" > "$cache/debs/last-error"
fetch() {	# series name-regex name-glob
	local series=$1 re=$2 glob=$3 pkg kver updated=0
	while :; do
		# The newest three: if those fail, the network or the mirror is the problem.
		for pkg in $(candidates "^linux-image-$re\$" | head -n3); do
			if kver=$(extract "$pkg"); then
				echo "$series $kver $cache/kernels/$kver"
				return 0
			fi
		done
		# Stale or empty apt lists: refresh once, then retry.
		if [ $updated = 0 ] && [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1; then
			updated=1
			continue
		fi
		break
	done
	if kver=$(cached "^$re\$"); then
		echo "fetch-kernels: using cached $kver" >&2
		echo "$series $kver $cache/kernels/$kver"
		return 0
	fi
	echo "fetch-kernels: no $glob could be downloaded ($(cat "$cache/debs/last-error"))" >&2
	return 1
}

fetch 6.1 '6\.1\.0-[0-9]+-amd64' 'linux-image-6.1.0-*-amd64'
fetch 6.12 '6\.12\.[0-9]+\+deb12-amd64' 'linux-image-6.12.*+deb12-amd64'
