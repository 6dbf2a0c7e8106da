#!/bin/sh
# Builds hello.wasm, a WASI reactor, from hello.c.
#
# Needs clang, lld, wasi-libc and clang's wasm32 runtime library (Debian:
# apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32, the last
# matching clang's major version; without it wasm-ld fails with "cannot
# find libclang_rt.builtins-wasm32.a"). wasi-libc installs into clang's
# default wasm32-wasi sysroot. With a wasi-sdk or another sysroot, set
# WASI_SYSROOT=/path/to/wasi-sysroot.
#
# -mexec-model=reactor links wasi-libc's crt1-reactor.o: the module exports
# _initialize (which runs the C constructors) instead of _start. The
# export_name attributes in hello.c export watchbox_abi_v1 and
# watchbox_event; wasm-ld exports the memory as "memory" by default.
# watchbox.h comes from guest-sdk/c (go generate ./abi/... writes it).
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
"$CC" --target=wasm32-wasi ${WASI_SYSROOT:+--sysroot="$WASI_SYSROOT"} \
	-mexec-model=reactor \
	-I../../../guest-sdk/c \
	-O2 -Wall -Wextra -Werror \
	-Wl,--strip-all \
	-o hello.wasm hello.c
echo "hello.wasm: $(wc -c < hello.wasm) bytes"
