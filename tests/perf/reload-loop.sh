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
while [ $i -le $n ]; do
	c0=$(cpu)
	case $kind in
	go) sed "s/did become active/did become active $i/" apps/hello/main.go >"$app/.main.go.tmp" && start=$(date +%s%N) && mv "$app/.main.go.tmp" "$app/main.go" ;;
	wasm) { cat tests/apps/c-hello/hello.wasm; printf '\000\003\001x%b' "$(printf '\\%03o' $i)"; } >"$app/.hello.wasm.tmp" && start=$(date +%s%N) && mv "$app/.hello.wasm.tmp" "$app/hello.wasm" ;;
	esac
	v=$((i + 1))
	until grep -q "reload v$v " "$out"; do sleep 0.01; done
	end=$(date +%s%N)
	c1=$(cpu)
	echo "save $i: $(((end - start) / 1000000)) ms, cpu $((c1 - c0)) ms: $(grep "reload v$v " "$out")"
	i=$v
done
