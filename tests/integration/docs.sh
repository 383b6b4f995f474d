#!/usr/bin/env bash
# The documentation matches the program: every option of --help is in the man
# page, the README and the bash completion (and the other way round for the
# man page); docs/usage.md quotes --help verbatim; every config key the parser
# knows is in docs/configuration.md, mqbalance.conf(5) and the example file
# (which sets nothing); every metric the program writes is in docs/metrics.md;
# the README stays short and its links into docs/ lead somewhere.
. "$(dirname "$0")/../lib.sh"
cd "$MQ_ROOT_DIR" || exit 1

help_opts=$("$MQ" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
# Options the man page defines or shows in its synopsis (macro lines), not examples.
man_opts=$(grep -E '^\.(B|BR|BI|RB)\b' mqbalance.8 | sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z-]+' | sort -u)
missing=$(comm -23 <(echo "$help_opts") <(echo "$man_opts"))
check "docs: every --help option is in mqbalance.8${missing:+ (missing: $missing)}" test -z "$missing"
extra=$(comm -13 <(echo "$help_opts") <(echo "$man_opts"))
check "docs: mqbalance.8 documents no option --help lacks${extra:+ (extra: $extra)}" test -z "$extra"
missing=$(for o in $help_opts; do grep -q -- "$o" README.md || echo "$o"; done)
check "docs: every --help option is in the README${missing:+ (missing: $missing)}" test -z "$missing"
# The completion offers the options as one quoted word list.
comp=$(sed -n "/compgen -W '--/,/'/p" completion/mqbalance.bash | grep -oE -- '--[a-z][a-z-]+' | sort -u)
missing=$(comm -23 <(echo "$help_opts") <(echo "$comp"))
extra=$(comm -13 <(echo "$help_opts") <(echo "$comp"))
check "docs: the bash completion offers exactly the --help options${missing:+ (missing: $missing)}${extra:+ (extra: $extra)}" \
	test -z "$missing$extra"
# docs/usage.md's "## Usage" block is --help, word for word.
quoted=$(sed -n '/^## Usage$/,/^## /p' docs/usage.md | sed -n '/^```$/,/^```$/p' | sed '1d;$d')
d=$(diff <(echo "$quoted") <("$MQ" --help) | head -n 6 | tr '\n' '|')
check "docs: docs/usage.md quotes --help verbatim${d:+ (diff: $d)}" test -z "$d"

# The parser's key table: [K_X] = "key".
keys=$(sed -nE 's/^\s*\[K_[A-Z_]+\] = "([a-z_]+)",/\1/p' core/config.c)
check "docs: config keys found in core/config.c" test -n "$keys"
missing=$(for k in $keys; do grep -q "| \`$k\` |" docs/configuration.md || echo "$k"; done)
check "docs: every config key has a row in docs/configuration.md${missing:+ (missing: $missing)}" test -z "$missing"
missing=$(for k in $keys; do grep -qE "^#? ?$k *=" mqbalance.conf.example || echo "$k"; done)
check "docs: every config key is in mqbalance.conf.example${missing:+ (missing: $missing)}" test -z "$missing"
# mqbalance.conf(5) defines each key in a tagged paragraph: ".BR key " = " ...".
missing=$(for k in $keys; do grep -qE "^\.BR? $k( |$)" mqbalance.conf.5 || echo "$k"; done)
check "docs: every config key is defined in mqbalance.conf.5${missing:+ (missing: $missing)}" test -z "$missing"
# The example sets nothing: installing it changes no default.
set_lines=$(grep -nE '^[[:space:]]*[^#;[:space:]]' mqbalance.conf.example)
check "docs: mqbalance.conf.example has every setting commented out${set_lines:+ (set: $set_lines)}" \
	test -z "$set_lines"

# Every metric family the fixture writer emits (all families) is documented.
fixture=${BUILD:-build}/tests/tools/prom-fixture
if [ -x "$fixture" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	if "$fixture" "$tmp/all.prom" >/dev/null 2>&1 || [ -s "$tmp/all.prom" ]; then
		fams=$(sed -nE 's/^# TYPE ([a-z_]+) .*/\1/p' "$tmp/all.prom")
		check "docs: the fixture textfile has metric families" test -n "$fams"
		missing=$(for m in $fams; do grep -q "\`$m" docs/metrics.md || echo "$m"; done)
		check "docs: every metric family is in docs/metrics.md${missing:+ (missing: $missing)}" test -z "$missing"
	else
		fail "docs: $fixture did not write a textfile"
	fi
else
	skip "docs: metric families: $fixture not built (make tests)"
fi

# The README is the page a newcomer reads to the end.
n=$(wc -l <README.md)
check "docs: README.md is at most 200 lines ($n)" test "$n" -le 200
# Relative links in the README and docs/ name files that exist, and #anchors
# headings of the target (GitHub's slugs: lower case, punctuation dropped,
# spaces to hyphens).
slugs() { sed -n 's/^#\{1,6\} //p' "$1" | tr 'A-Z' 'a-z' | sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'; }
bad=
for f in README.md docs/*.md; do
	dir=$(dirname "$f")
	for l in $(grep -oE '\]\([^)# ]*(#[^) ]*)?\)' "$f" | sed -E 's/^\]\((.*)\)$/\1/' | grep -vE '^[a-z]+:'); do
		path=${l%%#*} anchor=
		[[ $l == *#* ]] && anchor=${l#*#}
		target=$f
		[ -n "$path" ] && target=$dir/$path
		if [ ! -e "$target" ]; then
			bad+=" $f:$l"
		elif [ -n "$anchor" ] && ! slugs "$target" | grep -qx -- "$anchor"; then
			bad+=" $f:$l(anchor)"
		fi
	done
done
check "docs: links in README.md and docs/ resolve${bad:+ (broken:$bad)}" test -z "$bad"
finish
