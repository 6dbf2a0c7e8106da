#!/bin/sh
# Rebuilds kernels.wasm from kernels.c. Needs Debian's clang, lld, wasi-libc
# and libclang-rt-14-dev-wasm32:
#   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32
# The .wasm is committed so tests need only Go.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32-wasi --sysroot=/usr -O2 -mbulk-memory -mexec-model=reactor \
	-o kernels.wasm kernels.c -lm
echo "wrote $(pwd)/kernels.wasm ($(wc -c < kernels.wasm) bytes)"
