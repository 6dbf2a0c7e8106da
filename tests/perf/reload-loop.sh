#!/bin/sh
# reload-loop.sh BUNDLE-KIND: time watchbox dev's loop from a save to the
# new version serving, as a user sees it. KIND is "go" (a copy of
# apps/hello as a module of its own; its main.go is edited) or "wasm" (a
# copy of tests/apps/c-hello; its .wasm file is replaced by the same
# module with a custom section appended). Prints, for each of N saves
# (default 5), the milliseconds from the rename that saves the file to the
# reload line on stdout, the CPU time watchbox and its children (the go
# command) used meanwhile, and the line itself (build, compile, swap, and
# "serving N ms after the save", watchbox's own measure from the
# watcher's first event, free of this script's polling).
# With BURST=K, each save is a burst of K saves (renames) GAP seconds
# apart (default 0.02), each with new content, the last one the save's;
# a second after its first reload, the script prints how many reloads
# the burst gave (one, unless load stretched a gap past the debounce)
# and the CPU time of the whole burst.
# Run from the repository root after `go build -o /tmp/wb ./cmd/watchbox`.
set -eu
kind=${1:-go}
n=${2:-5}
wb=${WB:-/tmp/wb}
root=$(pwd)
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
case $kind in
go)
	app=$work/hello
	mkdir -p "$app"
	cp apps/hello/main.go apps/hello/watchapp.json "$app"/
	printf 'module example.com/hello\n\n%s\n\nrequire github.com/watchbox/watchbox v0.0.0\n\nreplace github.com/watchbox/watchbox => %s\n' \
		"$(grep '^go ' go.mod)" "$root" >"$app/go.mod"
	;;
wasm)
	app=$work/c-hello
	mkdir -p "$app"
	cp tests/apps/c-hello/watchapp.json tests/apps/c-hello/hello.wasm "$app"/
	;;
esac
out=$work/out
"$wb" dev --control off --data "$work/data" --cache "${CACHE:-$HOME/.cache/watchbox}" --log-level warn --steps status "$app" >"$out" 2>"$work/err" &
pid=$!
until grep -q "watching" "$work/err" 2>/dev/null; do sleep 0.05; done
# cpu prints the CPU time in milliseconds of watchbox and its waited-for
# children so far (utime+stime+cutime+cstime of /proc/PID/stat).
tick=$(getconf CLK_TCK)
cpu() { awk -v t="$tick" '{ sub(/^.*\) /, ""); print int(($12 + $13 + $14 + $15) * 1000 / t) }' /proc/$pid/stat; }
i=1
ver=1
burst=${BURST:-1}
gap=${GAP:-0.02}
case $kind in
go) file=$app/main.go ;;
wasm) file=$app/hello.wasm ;;
esac
# content I J writes save I's content to stdout, or for J > 0 an
# intermediate content of it.
content() {
	case $kind in
	go) sed "s/did become active/did become active $1.$2/" apps/hello/main.go ;;
	wasm) cat tests/apps/c-hello/hello.wasm; printf '\000\004\001x%b%b' "$(printf '\\%03o' $1)" "$(printf '\\%03o' $2)" ;;
	esac
}
while [ $i -le $n ]; do
	# The burst's files are written first; one perl process then renames
	# them over the file GAP seconds apart, so that forks under load do
	# not stretch the burst.
	files=
	j=1
	while [ $j -lt "$burst" ]; do
		content $i $j >"$work/.save.$j"
		files="$files $work/.save.$j"
		j=$((j + 1))
	done
	content $i 0 >"$work/.save.0"
	files="$files $work/.save.0"
	c0=$(cpu)
	start=$(date +%s%N)
	# shellcheck disable=SC2086
	perl -MTime::HiRes=sleep -e 'my ($dst, $gap, @f) = @ARGV; for my $k (0..$#f) { rename($f[$k], $dst) or die "rename: $!"; sleep($gap) if $k < $#f }' "$file" "$gap" $files
	ver=$((ver + 1))
	until grep -q "reload v$ver " "$out"; do sleep 0.01; done
	end=$(date +%s%N)
	c1=$(cpu)
	echo "save $i: $(((end - start) / 1000000)) ms, cpu $((c1 - c0)) ms: $(grep "reload v$ver " "$out")"
	if [ "$burst" -gt 1 ]; then
		# Reloads of this burst: one unless the machine stretched a gap
		# past the debounce.
		sleep 1
		now=$(($(grep -c "reload v" "$out") + 1))
		echo "save $i: burst of $burst gave $((now - ver + 1)) reload(s), cpu $(($(cpu) - c0)) ms in all"
		ver=$now
	fi
	i=$((i + 1))
done
